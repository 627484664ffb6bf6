import { endpoint, type Endpoint } from "../endpoint";
import { openApiDocument } from "../openapi";
import {
  adminAudit,
  adminDelete,
  adminDisable,
  adminEnable,
  adminResendVerification,
  adminResetTwoFactor,
  adminRevokeSession,
  adminRole,
  adminSendReset,
  adminSignOut,
  adminStats,
  adminUser,
  adminUsers,
} from "./admin";
import { deleteMe, reauthenticateEndpoint, reauthenticatePasskeyOptions } from "./account";
import { emailChange, emailConfirm } from "./email";
import { googleLogin, login, secondStep } from "./login";
import { passkeyList, passkeyLogin, passkeyLoginOptionsEndpoint, passkeyRegister, passkeyRegistrationOptionsEndpoint, passkeyRemove } from "./passkeys";
import { generateLink, passwordChange, passwordReset } from "./passwords";
import { getUser, me, putUser } from "./profile";
import { health, jwks, live, metricsEndpoint, ready } from "./service";
import { confirmUser, googleRegister, register, resendOtp, signUp, verifyOtp } from "./sign-up";
import { recoveryCodes, totpEnable, totpSetup, twoFactorOff } from "./two-factor";
import { logout, refresh } from "./tokens";

/**
 * Every endpoint of the JSON API, declared by area in this folder. Each is a thin door: validate,
 * call one service, present the result in the contract's shape. Adding an endpoint is one
 * declaration, one service function and its place in this list (lib/api/entry.ts serves the list).
 */

/** It describes the list below, so it lives beside it. */
const openApi = endpoint({
  method: "GET",
  path: "/auth/openapi.json",
  summary: "This document",
  auth: "none",
  async handle() {
    return Response.json(openApiDocument(ENDPOINTS), { headers: { "cache-control": "public, max-age=300" } });
  },
  success: { description: "OpenAPI 3.1" },
  failures: [],
});

// The order is the OpenAPI document's (its paths, and each path's methods) and each path's `Allow`.
export const ENDPOINTS: readonly Endpoint<never, never, unknown>[] = [
  signUp,
  confirmUser,
  register,
  googleRegister,
  login,
  googleLogin,
  verifyOtp,
  resendOtp,
  generateLink,
  passwordReset,
  refresh,
  logout,
  me,
  deleteMe,
  getUser,
  putUser,
  passwordChange,
  totpSetup,
  totpEnable,
  recoveryCodes,
  twoFactorOff,
  secondStep,
  passkeyRegistrationOptionsEndpoint,
  passkeyRegister,
  passkeyList,
  passkeyRemove,
  passkeyLoginOptionsEndpoint,
  passkeyLogin,
  emailChange,
  emailConfirm,
  reauthenticateEndpoint,
  reauthenticatePasskeyOptions,
  adminUsers,
  adminUser,
  adminDelete,
  adminDisable,
  adminEnable,
  adminSignOut,
  adminSendReset,
  adminResendVerification,
  adminResetTwoFactor,
  adminRevokeSession,
  adminRole,
  adminAudit,
  adminStats,
  health,
  live,
  ready,
  metricsEndpoint,
  openApi,
  jwks,
] as unknown as Endpoint<never, never, unknown>[];
