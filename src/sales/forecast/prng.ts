/**
 * Seeded pseudo-random numbers (mulberry32 + Box–Muller). Forecast intervals that come from
 * simulation must be reproducible: the same history must always give the same answer.
 */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws from a uniform generator (Box–Muller; u1 kept away from 0). */
export function createNormalRng(seed: number): () => number {
  const uniform = createRng(seed);
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const v = spare;
      spare = null;
      return v;
    }
    const u1 = Math.max(uniform(), 1e-12);
    const u2 = uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  };
}

/** Empirical quantile with linear interpolation (R's type 7) of an already sorted array. */
export function sortedQuantile(sorted: readonly number[], prob: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * prob;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}
