import { z } from "zod";
/**
 * The modulus-11 check digit of an NHS number's first nine digits (weights 10 down to 2; a check
 * value of 11 is 0), or null when it would be 10: such numbers are never issued.
 */
export function nhsCheckDigit(nineDigits: string): number | null {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (nineDigits.charCodeAt(i) - 48) * (10 - i);
  const check = (11 - (sum % 11)) % 11;
  return check === 10 ? null : check;
}

/** Is this a valid NHS number: ten digits whose last is the check digit of the first nine? */
export function isValidNhsNumber(value: string): boolean {
  return /^\d{10}$/.test(value) && nhsCheckDigit(value) === value.charCodeAt(9) - 48;
}

/** An NHS number as people write it ("999 000 0018", "999-000-0018") reduced to its ten digits. */
export function normaliseNhsNumber(value: string): string {
  return value.replace(/[\s-]/g, "");
}

/** An NHS number grouped 3-3-4 for reading. */
export function formatNhsNumber(value: string): string {
  return /^\d{10}$/.test(value) ? `${value.slice(0, 3)} ${value.slice(3, 6)} ${value.slice(6)}` : value;
}

/** An NHS number as a person or a machine sends it: ten digits (spaces and dashes allowed) passing the modulus-11 check. */
export const nhsNumberInput = z
  .string({ error: "Enter the NHS number." })
  .transform(normaliseNhsNumber)
  .refine((v) => /^\d{10}$/.test(v), "An NHS number has 10 digits.")
  .refine(isValidNhsNumber, "This is not a valid NHS number (its check digit does not match).");
