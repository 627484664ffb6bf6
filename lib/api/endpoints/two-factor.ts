import { disableTwoFactor, enableTotp, replaceRecoveryCodesWith, setUpTotp } from "@/lib/auth/two-factor";
import { BAD_REQUEST, endpoint, RATE_LIMITED, REAUTHENTICATE, UNAUTHORIZED, UNVERIFIED } from "../endpoint";
import { CodeRequest } from "../requests";
import { CODE_FIELD } from "./failure-shapes";

/** An authenticator app and its recovery codes (account centre). */

export const totpSetup = endpoint({
  method: "POST",
  path: "/auth/2fa/totp/setup/",
  summary: "Start setting up an authenticator app (nothing is on until enabled)",
  auth: "access",
  async handle(_input, ctx) {
    const setup = await setUpTotp(ctx.caller, ctx.client);
    return { secret: setup.secret, otpauth_url: setup.otpauthUrl, qr_svg: setup.qrSvg };
  },
  success: { description: "`secret`, `otpauth_url`, `qr_svg`" },
  failures: [BAD_REQUEST("errors.errors: already on"), UNAUTHORIZED, UNVERIFIED, REAUTHENTICATE],
});

export const totpEnable = endpoint({
  ...CODE_FIELD,
  method: "POST",
  path: "/auth/2fa/totp/enable/",
  summary: "Turn two-factor on with a first code; the recovery codes are shown once",
  auth: "access",
  body: CodeRequest,
  async handle({ code }, ctx) {
    return { recovery_codes: (await enableTotp(ctx.caller, code, ctx.client)).recoveryCodes };
  },
  success: { description: "`recovery_codes` (10)" },
  failures: [BAD_REQUEST("errors.code: Invalid code"), UNAUTHORIZED, RATE_LIMITED, UNVERIFIED, REAUTHENTICATE],
});

export const recoveryCodes = endpoint({
  ...CODE_FIELD,
  method: "POST",
  path: "/auth/2fa/recovery-codes/",
  summary: "New recovery codes for an authenticator code; the old ones stop working",
  auth: "access",
  body: CodeRequest,
  async handle({ code }, ctx) {
    return { recovery_codes: (await replaceRecoveryCodesWith(ctx.caller, code, ctx.client)).recoveryCodes };
  },
  success: { description: "`recovery_codes` (10)" },
  failures: [BAD_REQUEST("errors.code"), UNAUTHORIZED, RATE_LIMITED, REAUTHENTICATE],
});

export const twoFactorOff = endpoint({
  ...CODE_FIELD,
  method: "POST",
  path: "/auth/2fa/disable/",
  summary: "Turn two-factor off with an authenticator code or a recovery code",
  auth: "access",
  body: CodeRequest,
  async handle({ code }, ctx) {
    await disableTwoFactor(ctx.caller, code, ctx.client);
    return {};
  },
  success: { description: "Off" },
  failures: [BAD_REQUEST("errors.code"), UNAUTHORIZED, RATE_LIMITED, REAUTHENTICATE],
});
