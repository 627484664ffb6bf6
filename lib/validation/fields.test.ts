import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ValidationError } from "@/lib/errors";
import { DobSchema, EmailSchema, integerChoice, MobileSchema, NameSchema, otpSchema, passwordSchema } from "./fields";
import { parseInput } from "./parse";

const errorsOf = (schema: z.ZodType, input: unknown) => {
  try {
    parseInput(schema, input);
  } catch (e) {
    if (e instanceof ValidationError) return e.byField("errors");
    throw e;
  }
  return {};
};

describe("field schemas", () => {
  const Login = z.object({ email: EmailSchema, password: passwordSchema(8) });

  it("normalises e-mail addresses", () => {
    expect(EmailSchema.parse("  Alice@Example.COM ")).toBe("alice@example.com");
  });

  it("uses DRF's messages", () => {
    expect(errorsOf(Login, {})).toEqual({ email: ["This field is required."], password: ["This field is required."] });
    expect(errorsOf(Login, { email: "", password: null })).toEqual({
      email: ["This field may not be blank."],
      password: ["This field may not be null."],
    });
    expect(errorsOf(Login, { email: "nope", password: "x" })).toEqual({
      email: ["Enter a valid email address."],
      password: ["This password is too short. It must contain at least 8 characters."],
    });
    expect(errorsOf(Login, { email: ["a@b.co"], password: { a: 1 } })).toEqual({
      email: ["Not a valid string."],
      password: ["Not a valid string."],
    });
    expect(errorsOf(Login, { email: `${"a".repeat(250)}@b.co`, password: "x".repeat(129) })).toEqual({
      email: ["Ensure this field has no more than 254 characters."],
      password: ["Ensure this field has no more than 128 characters."],
    });
  });

  it("accepts real calendar dates only", () => {
    expect(DobSchema.parse("2088-01-12")).toBe("2088-01-12");
    expect(DobSchema.safeParse("2023-02-30").success).toBe(false);
    expect(DobSchema.safeParse("12/01/2000").error?.issues[0]?.message).toMatch(/wrong format/);
  });

  it("accepts plausible mobile numbers", () => {
    expect(MobileSchema.parse("76765757")).toBe("76765757");
    expect(MobileSchema.parse("+44 20 7946 0958")).toBe("+44 20 7946 0958");
    expect(MobileSchema.safeParse("call me").success).toBe(false);
  });

  it("reads codes as strings, keeping leading zeros of numbers", () => {
    expect(otpSchema(4).parse(" 0123 ")).toBe("0123");
    expect(otpSchema(4).parse(123)).toBe("0123");
    expect(otpSchema(4).safeParse("12a4").success).toBe(false);
    expect(otpSchema(6).safeParse("1234").success).toBe(false);
  });

  it("answers an unknown choice as DRF does", () => {
    const T = z.object({ request_type: integerChoice([1, 3] as const) });
    expect(parseInput(T, { request_type: "3" })).toEqual({ request_type: 3 });
    expect(errorsOf(T, { request_type: 2 })).toEqual({ request_type: ['"2" is not a valid choice.'] });
    expect(errorsOf(T, { request_type: "x" })).toEqual({ request_type: ['"x" is not a valid choice.'] });
    expect(errorsOf(T, {})).toEqual({ request_type: ["This field is required."] });
  });
});

describe("field schemas, as DRF reports them", () => {
  it("gives a blank or too long value that one message, not the field's format message too", () => {
    const T = z.object({ mobile: MobileSchema, dob: DobSchema, email: EmailSchema });
    expect(errorsOf(T, { mobile: "", dob: " ", email: "" })).toEqual({
      mobile: ["This field may not be blank."],
      dob: ["This field may not be blank."],
      email: ["This field may not be blank."],
    });
    expect(errorsOf(T, { mobile: "1".repeat(21), dob: "2000-01-012", email: "a@b.co" })).toEqual({
      mobile: ["Ensure this field has no more than 20 characters."],
      dob: ["Ensure this field has no more than 10 characters."],
    });
  });

  it("refuses NUL characters (DRF's ProhibitNullCharactersValidator; PostgreSQL cannot store them)", () => {
    const T = z.object({ name: NameSchema, password: passwordSchema(8) });
    expect(errorsOf(T, { name: "Al\u0000exa", password: "long enough\u0000" })).toEqual({
      name: ["Null characters are not allowed."],
      password: ["Null characters are not allowed."],
    });
  });

  it("quotes a refused choice briefly, even one nested too deep to print", () => {
    const T = z.object({ request_type: integerChoice([1, 3] as const) });
    expect(errorsOf(T, { request_type: [2] })).toEqual({ request_type: ['"[2]" is not a valid choice.'] });
    expect(errorsOf(T, { request_type: "x".repeat(500) })).toEqual({ request_type: [`"${"x".repeat(100)}…" is not a valid choice.`] });
    const deep = JSON.parse("[".repeat(30_000) + "]".repeat(30_000));
    expect(errorsOf(T, { request_type: deep })).toEqual({ request_type: ['"[…]" is not a valid choice.'] });
  });

  it("reads a null code as null, not as a wrong type", () => {
    expect(errorsOf(z.object({ otp: otpSchema(4) }), { otp: null })).toEqual({ otp: ["This field may not be null."] });
  });
});
