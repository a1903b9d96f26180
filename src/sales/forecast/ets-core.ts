/**
 * Exponential smoothing state-space recursions (Hyndman, Koehler, Ord & Snyder 2008),
 * written in the same error-correction form as R forecast's C code (etscalc), so parameters
 * fitted by R reproduce R's likelihood, fitted values and point forecasts.
 *
 * Additive- and multiplicative-error models share the state updates; they differ only in
 * the likelihood (and in how uncertainty propagates), which is why one recursion serves both.
 */
export type ErrorType = 'A' | 'M';
export type TrendType = 'N' | 'A' | 'Ad';
export type SeasonType = 'N' | 'A' | 'M';

export interface EtsSpec {
  error: ErrorType;
  trend: TrendType;
  season: SeasonType;
  /** Season length; ignored when season is 'N'. */
  m: number;
}

/** State-space smoothing parameters (beta and gamma on the state-space scale, as R reports). */
export interface EtsParams {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
}

/** seasonal[p] is the seasonal state for time indices t with t mod m = p (0 = first observation). */
export interface EtsState {
  level: number;
  slope: number;
  seasonal: number[];
}

export interface EtsRun {
  /** -2 log-likelihood up to constants, as R's ets: n·log(SSE) (+ 2·Σlog|ŷ| for M errors). */
  lik: number;
  /** Sum of squared errors on the error scale (absolute for A, relative for M). */
  sumSq: number;
  final: EtsState;
  fitted: number[];
  /** Innovations: y − ŷ for additive errors, (y − ŷ)/ŷ for multiplicative errors. */
  innovations: number[];
}

// R's etscalc uses the same guards: a near-zero forecast makes a relative error meaningless.
const TINY = 1e-10;

export function etsName(spec: EtsSpec): string {
  return `ETS(${spec.error},${spec.trend},${spec.season})`;
}

export function cloneState(s: EtsState): EtsState {
  return { level: s.level, slope: s.slope, seasonal: [...s.seasonal] };
}

function dampedSlope(spec: EtsSpec, p: EtsParams, b: number): number {
  if (spec.trend === 'N') return 0;
  return spec.trend === 'Ad' ? p.phi * b : b;
}

/** One-step-ahead forecast for time index t from the current state. */
export function oneStep(st: EtsState, t: number, spec: EtsSpec, p: EtsParams): number {
  const q = st.level + dampedSlope(spec, p, st.slope);
  if (spec.season === 'N') return q;
  const s = st.seasonal[t % spec.m];
  return spec.season === 'A' ? q + s : q * s;
}

/** Updates the state in place after observing y at time index t. */
export function updateState(st: EtsState, y: number, t: number, spec: EtsSpec, p: EtsParams): void {
  const phib = dampedSlope(spec, p, st.slope);
  const q = st.level + phib;
  const idx = t % spec.m;
  const s = spec.season === 'N' ? 0 : st.seasonal[idx];
  let adjusted = y;
  if (spec.season === 'A') adjusted = y - s;
  if (spec.season === 'M') adjusted = s < TINY ? 1e10 : y / s;
  const level = q + p.alpha * (adjusted - q);
  if (spec.trend !== 'N') st.slope = phib + (p.beta / p.alpha) * (level - st.level - phib);
  if (spec.season === 'A') st.seasonal[idx] = s + p.gamma * (y - q - s);
  if (spec.season === 'M') st.seasonal[idx] = s + p.gamma * (y / q - s);
  st.level = level;
}

/** Spec and parameters as plain numbers/booleans for the inner loop. */
function flatten(spec: EtsSpec, p: EtsParams) {
  const trend = spec.trend !== 'N';
  return {
    trend,
    phi: spec.trend === 'Ad' ? p.phi : 1,
    season: spec.season === 'N' ? 0 : spec.season === 'A' ? 1 : 2,
    multErr: spec.error === 'M',
    alpha: p.alpha,
    gamma: p.gamma,
    betaRatio: trend ? p.beta / p.alpha : 0,
    m: spec.m,
  };
}

/**
 * Runs the filter over y. Returns null when the recursion leaves the valid region.
 * This is the optimiser's inner loop, so it is written flat (no per-step calls or
 * allocations); it must stay equivalent to oneStep + updateState.
 */
export function runEts(
  y: readonly number[],
  spec: EtsSpec,
  p: EtsParams,
  init: EtsState,
  keepPaths = false,
): EtsRun | null {
  const { trend, phi, season, multErr, alpha, gamma, betaRatio, m } = flatten(spec, p);
  const seas = Float64Array.from(init.seasonal);
  let level = init.level;
  let slope = init.slope;
  const fitted: number[] = [];
  const innovations: number[] = [];
  let sumSq = 0;
  let sumLog = 0;
  for (let t = 0, idx = 0; t < y.length; t++, idx = idx + 1 === m ? 0 : idx + 1) {
    const phib = trend ? phi * slope : 0;
    const q = level + phib;
    const s = season ? seas[idx] : 0;
    const yhat = season === 0 ? q : season === 1 ? q + s : q * s;
    const yt = y[t];
    let e = yt - yhat;
    if (multErr) {
      if (!(Math.abs(yhat) >= TINY)) return null;
      e /= yhat;
      sumLog += Math.log(Math.abs(yhat));
    }
    sumSq += e * e;
    if (keepPaths) {
      fitted.push(yhat);
      innovations.push(e);
    }
    const adjusted = season === 0 ? yt : season === 1 ? yt - s : s < TINY ? 1e10 : yt / s;
    const newLevel = q + alpha * (adjusted - q);
    if (trend) slope = phib + betaRatio * (newLevel - level - phib);
    if (season === 1) seas[idx] = s + gamma * (yt - q - s);
    else if (season === 2) seas[idx] = s + gamma * (yt / q - s);
    level = newLevel;
  }
  const lik = y.length * Math.log(Math.max(sumSq, 1e-300)) + 2 * sumLog;
  if (!Number.isFinite(lik) || !Number.isFinite(level) || !Number.isFinite(slope)) return null;
  const final: EtsState = { level, slope, seasonal: Array.from(seas) };
  return { lik, sumSq, final, fitted, innovations };
}

/** Point forecasts for steps 1..h after a series of length n, from the final state. */
export function etsPointForecast(final: EtsState, n: number, h: number, spec: EtsSpec, p: EtsParams): number[] {
  const out: number[] = [];
  let phiSum = 0;
  let phiPow = 1;
  for (let j = 1; j <= h; j++) {
    if (spec.trend === 'A') phiSum = j;
    if (spec.trend === 'Ad') {
      phiPow *= p.phi;
      phiSum += phiPow;
    }
    const trendPart = final.level + phiSum * final.slope;
    const idx = (n + j - 1) % spec.m;
    if (spec.season === 'N') out.push(trendPart);
    else if (spec.season === 'A') out.push(trendPart + final.seasonal[idx]);
    else out.push(trendPart * final.seasonal[idx]);
  }
  return out;
}
