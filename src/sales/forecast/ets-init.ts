/**
 * Heuristic initial states, following R forecast's `initstate`: seasonal indices from a
 * classical decomposition of the first (up to) three seasons, then level and slope from a
 * regression on the first max(10, 2m) seasonally adjusted points. They are the optimiser's
 * starting point, not its answer.
 */
import { seasonalFigure } from './classical-decomposition.js';
import type { EtsSpec, EtsState } from './ets-core.js';

export function heuristicInitialState(y: readonly number[], spec: EtsSpec): EtsState {
  const m = spec.m;
  let seasonal: number[] = [];
  let adjusted: number[] = [...y];
  if (spec.season !== 'N') {
    const span = y.slice(0, Math.min(y.length, 3 * m));
    const type = spec.season === 'A' ? 'additive' : 'multiplicative';
    seasonal = seasonalFigure(span, m, type);
    if (spec.season === 'M') seasonal = normaliseMultiplicative(seasonal.map((s) => Math.max(s, 1e-2)));
    adjusted = y.map((v, t) => (spec.season === 'A' ? v - seasonal[t % m] : v / seasonal[t % m]));
  }
  const maxn = Math.min(Math.max(10, 2 * m), adjusted.length);
  const head = adjusted.slice(0, maxn);
  if (spec.trend === 'N') {
    return { level: head.reduce((a, b) => a + b, 0) / head.length, slope: 0, seasonal };
  }
  const { intercept, slope } = linearFit(head);
  let level = intercept;
  let b = slope;
  // As R: a multiplicative-error model must not start with a zero one-step forecast.
  if (Math.abs(level + b) < 1e-8) {
    level *= 1 + 1e-3;
    b *= 1 - 1e-3;
  }
  return { level, slope: b, seasonal };
}

/** Least-squares line through (1..n, y): intercept is the value at t = 0. */
export function linearFit(y: readonly number[]): { intercept: number; slope: number } {
  const n = y.length;
  if (n < 2) return { intercept: y[0] ?? 0, slope: 0 };
  const tBar = (n + 1) / 2;
  const yBar = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i + 1 - tBar) * (y[i] - yBar);
    sxx += (i + 1 - tBar) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return { intercept: yBar - slope * tBar, slope };
}

export function normaliseMultiplicative(s: number[]): number[] {
  const avg = s.reduce((a, b) => a + b, 0) / s.length;
  return s.map((v) => v / avg);
}
