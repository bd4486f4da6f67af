/**
 * Is this a valid NHS number: 10 digits whose last is the modulus-11 check digit of the first nine
 * (weights 10 down to 2; a remainder giving 10 is never issued)?
 */
export function isValidNhsNumber(value: string): boolean {
  if (!/^\d{10}$/.test(value)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(value[i]) * (10 - i);
  const check = 11 - (sum % 11);
  const digit = check === 11 ? 0 : check;
  return digit !== 10 && digit === Number(value[9]);
}

/** Spaces and dashes people type between the groups (999 000 0018) are dropped. */
export function normaliseNhsNumber(value: string): string {
  return value.replace(/[\s-]/g, "");
}
