// Seeded randomness: every random choice is derived from (seed, purpose) so the same seed gives the same fleet.
import seedrandom from "seedrandom";

export interface Rng {
  next(): number;
  int(min: number, maxInclusive: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  hex(len: number): string;
}

export function rng(seed: string, ...purpose: Array<string | number>): Rng {
  const prng = seedrandom(`${seed}\u0000${purpose.join("\u0000")}`);
  const next = () => prng.quick();
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new Error("pick from an empty list");
      return item;
    },
    chance: (p) => next() < p,
    hex: (len) => {
      let s = "";
      for (let i = 0; i < len; i++) s += Math.floor(next() * 16).toString(16);
      return s;
    },
  };
}
