import { describe, expect, it } from "vitest";
import { passwordProblem } from "@/lib/identity/password-policy";

describe("the password policy (NCSC)", () => {
  it.each([
    ["short", "tooshort", /at least 12/],
    ["eleven characters", "abcdefghij1", /at least 12/],
    ["common", "password1234", /too common/],
    ["common, other case", "PassWord1234", /too common/],
    ["common with spaces", "correct horse battery staple", /too common/],
    ["the demo password", "mosaic-demo-password", /too common/],
    ["one repeated character", "zzzzzzzzzzzzzz", /repeated/],
    ["a sequence", "abcdefghijklm", /consecutive|common/],
    ["digits in a row", "3456789012345", /consecutive|common/],
    ["built from the email", "jane.doe2024!", /name or email/],
    ["built from the name", "Okonjo123456", /name or email/],
  ])("refuses %s", (_what, password, message) => {
    expect(passwordProblem(password, { email: "jane.doe@rhu.example", name: "Daniel Okonjo" })).toMatch(message);
  });

  it.each([
    ["three random words", "tulip marble harbour"],
    ["lower-case only, long", "purplemonkeydishwasher"],
    ["no digits or symbols needed", "RiverStoneLantern"],
    ["the name inside a long passphrase", "daniel likes sailing at dawn"],
  ])("accepts %s (no composition rules)", (_what, password) => {
    expect(passwordProblem(password, { email: "jane.doe@rhu.example", name: "Daniel Okonjo" })).toBeNull();
  });

  it("allows long passwords up to 256 characters", () => {
    expect(passwordProblem("a sentence ".repeat(23).slice(0, 256))).toBeNull();
    expect(passwordProblem("x".repeat(257))).toMatch(/at most/);
  });
});
