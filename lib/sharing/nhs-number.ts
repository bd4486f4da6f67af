/**
 * Is this a valid NHS number: ten digits whose last is the modulus-11 check digit of the first
 * nine (weights 10 down to 2; a check value of 11 is 0, and 10 means the number was never issued).
 */
export function isValidNhsNumber(value: string): boolean {
  if (!/^\d{10}$/.test(value)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (value.charCodeAt(i) - 48) * (10 - i);
  let check = 11 - (sum % 11);
  if (check === 11) check = 0;
  if (check === 10) return false;
  return check === value.charCodeAt(9) - 48;
}

/** An NHS number as people write it ("999 000 0018", "999-000-0018") reduced to its ten digits. */
export function normaliseNhsNumber(value: string): string {
  return value.replace(/[\s-]/g, "");
}

/** An NHS number grouped 3-3-4 for reading. */
export function formatNhsNumber(value: string): string {
  return /^\d{10}$/.test(value) ? `${value.slice(0, 3)} ${value.slice(3, 6)} ${value.slice(6)}` : value;
}
