// Deterministic randomness: a hash of (seed, day, trust, index) seeds a small generator per exam,
// so an exam's whole life can be drawn on the day it is performed.

function mix(h: number, v: number): number {
  h = Math.imul(h ^ (v >>> 0), 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca77);
  h ^= h >>> 13;
  return h >>> 0;
}
// Fixed arities rather than a rest parameter: these run for every exam and session.
export function hash2(a: number, b: number): number {
  return finish(mix(mix(0x2545f491, a), b));
}
export function hash3(a: number, b: number, c: number): number {
  return finish(mix(mix(mix(0x2545f491, a), b), c));
}
export function hash4(a: number, b: number, c: number, d: number): number {
  return finish(mix(mix(mix(mix(0x2545f491, a), b), c), d));
}
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
export function weighted<T>(r: number, table: readonly (readonly [T, number])[]): T {
  // An index loop: destructuring in for…of goes through an iterator, allocated per step until optimised.
  for (let i = 0; i < table.length; i++) {
    const entry = table[i]!;
    if (r < entry[1]) return entry[0];
    r -= entry[1];
  }
  return table[table.length - 1]![0];
}
