/**
 * Packing of ETS smoothing parameters and initial states into one optimiser vector.
 *
 * Layout: [alpha, beta*, gamma*, phi, level, slope, s_1 … s_{m-1}] with absent components
 * dropped. beta = alpha·beta* and gamma = (1 − alpha)·gamma* so that the usual constraints
 * (0 < beta < alpha, 0 < gamma < 1 − alpha) hold inside a simple box. Seasonal position 0 is
 * implied by normalisation (additive indices sum to 0, multiplicative ones to m), as in R.
 */
import type { EtsParams, EtsSpec, EtsState } from './ets-core.js';

const LOWER = 1e-4;
const UPPER = 0.9999;
/** R's default damping bounds: phi below 0.8 damps too hard, above 0.98 barely damps. */
const PHI_LOWER = 0.8;
const PHI_UPPER = 0.98;

/** Number of estimated parameters incl. initial states (R's length(fit$par)). */
export function parameterCount(spec: EtsSpec): number {
  let k = 2; // alpha, level
  if (spec.trend !== 'N') k += 2;
  if (spec.trend === 'Ad') k += 1;
  if (spec.season !== 'N') k += spec.m; // gamma + m − 1 free seasonal states
  return k;
}

/**
 * Starting values in the optimiser's space; smoothing starts as R's `initparam`.
 * With withSeasonal = false the seasonal states stay outside the vector (held fixed).
 */
export function encodeParameters(spec: EtsSpec, init: EtsState, withSeasonal = true): number[] {
  const alpha = LOWER + (0.2 * (UPPER - LOWER)) / spec.m;
  const x = [alpha];
  if (spec.trend !== 'N') x.push(0.1);
  if (spec.season !== 'N') x.push(0.05);
  if (spec.trend === 'Ad') x.push(PHI_LOWER + 0.99 * (PHI_UPPER - PHI_LOWER));
  x.push(init.level);
  if (spec.trend !== 'N') x.push(init.slope);
  if (spec.season !== 'N' && withSeasonal) x.push(...init.seasonal.slice(1));
  return x;
}

/** Inverse of encodeParameters; fixedSeasonal supplies the seasonal states when held fixed. */
export function decodeParameters(
  x: readonly number[],
  spec: EtsSpec,
  fixedSeasonal?: readonly number[],
): { params: EtsParams; init: EtsState } {
  let i = 0;
  const alpha = x[i++];
  const beta = spec.trend !== 'N' ? alpha * x[i++] : 0;
  const gamma = spec.season !== 'N' ? (1 - alpha) * x[i++] : 0;
  const phi = spec.trend === 'Ad' ? x[i++] : 1;
  const level = x[i++];
  const slope = spec.trend !== 'N' ? x[i++] : 0;
  let seasonal: number[] = fixedSeasonal ? [...fixedSeasonal] : [];
  if (spec.season !== 'N' && !fixedSeasonal) {
    const free = x.slice(i, i + spec.m - 1);
    const sum = free.reduce((a, b) => a + b, 0);
    seasonal = [spec.season === 'A' ? -sum : spec.m - sum, ...free];
  }
  return { params: { alpha, beta, gamma, phi }, init: { level, slope, seasonal } };
}

/** Box bounds and initial simplex steps, on the unit-scaled series. */
export function parameterBox(
  spec: EtsSpec,
  ys: readonly number[],
  x0: readonly number[],
  withSeasonal = true,
): { lower: number[]; upper: number[]; step: number[] } {
  const big = 2 * Math.max(...ys.map(Math.abs), 1) + 1;
  const lower: number[] = [];
  const upper: number[] = [];
  const step: number[] = [];
  const push = (lo: number, hi: number, s: number): void => {
    lower.push(lo);
    upper.push(hi);
    step.push(s);
  };
  push(LOWER, UPPER, 0.1);
  if (spec.trend !== 'N') push(LOWER, UPPER, 0.1);
  if (spec.season !== 'N') push(LOWER, UPPER, 0.1);
  if (spec.trend === 'Ad') push(PHI_LOWER, PHI_UPPER, 0.02);
  const positive = spec.error === 'M' || spec.season === 'M';
  push(positive ? 1e-4 : -big, big, 0.1 * Math.abs(x0[step.length]) + 0.05);
  if (spec.trend !== 'N') push(-big, big, 0.1 * Math.abs(x0[step.length]) + 0.01);
  for (let j = 1; spec.season !== 'N' && withSeasonal && j < spec.m; j++) {
    if (spec.season === 'M') push(1e-3, spec.m, 0.05);
    else push(-big, big, 0.1 * Math.abs(x0[step.length]) + 0.02);
  }
  return { lower, upper, step };
}
