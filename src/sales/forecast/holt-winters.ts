/**
 * ETS (exponential smoothing state-space) fitting and AICc model selection, in the spirit of
 * R's `forecast::ets`: every admissible model is fitted by maximising the likelihood with
 * Nelder–Mead, and the lowest AICc wins. The likelihood, AICc and parameter count are R's.
 *
 * Difference from R, on purpose: by default the initial seasonal states come from a
 * classical decomposition (R's own starting heuristic) and only the smoothing parameters,
 * level and slope are optimised (see EtsFitOptions). AICc still counts the seasonal states
 * as estimated, as R does, so seasonal models are not favoured by the shortcut.
 */
import {
  etsName,
  etsPointForecast,
  runEts,
  type EtsParams,
  type EtsSpec,
  type EtsState,
} from './ets-core.js';
import { heuristicInitialState } from './ets-init.js';
import { etsIntervals } from './ets-intervals.js';
import type { IntervalForecast } from './forecast-types.js';
import { decodeParameters, encodeParameters, parameterBox, parameterCount } from './ets-parameters.js';
import { nelderMeadRestarted } from './nelder-mead.js';

export interface EtsFit {
  spec: EtsSpec;
  name: string;
  params: EtsParams;
  init: EtsState;
  final: EtsState;
  n: number;
  /** Estimated parameters incl. initial states (R's length(fit$par)). */
  nParams: number;
  /** Log-likelihood without constants, as R's ets reports it. */
  loglik: number;
  aic: number;
  aicc: number;
  bic: number;
  sigma2: number;
  fitted: number[];
  residuals: number[];
}

export interface EtsFitOptions {
  /**
   * Also optimise the m − 1 free initial seasonal states, as R does. Off by default: on the
   * short, noisy retail histories this library serves, the decomposition-based states are
   * nearly as good, far cheaper, and a 17-dimensional Nelder–Mead search is where fits
   * become slow and erratic.
   */
  optimiseSeasonalStates?: boolean;
}

/** Caps on likelihood evaluations per stage (R's ets allows 2000 per model). */
const STAGE1_EVALUATIONS = 600;
const STAGE2_EVALUATIONS = 2000;
const TOLERANCE = 1e-7;

/** True when the series is long enough for the model's parameter count (R: n > npars + 4). */
export function isFeasible(n: number, spec: EtsSpec): boolean {
  return n > parameterCount(spec) + 4;
}

/** Fits one ETS model to y; null when infeasible or when the fit leaves the valid region. */
export function fitEtsModel(y: readonly number[], spec: EtsSpec, opts: EtsFitOptions = {}): EtsFit | null {
  const n = y.length;
  if (!isFeasible(n, spec)) return null;
  if ((spec.error === 'M' || spec.season === 'M') && y.some((v) => !(v > 0))) return null;
  // Fit on a unit scale so one simplex step size suits every series, whatever its currency.
  const scale = y.reduce((a, v) => a + Math.abs(v), 0) / n || 1;
  const ys = y.map((v) => v / scale);
  const heuristic = heuristicInitialState(ys, spec);
  let best = optimise(ys, spec, encodeParameters(spec, heuristic, false), heuristic.seasonal, STAGE1_EVALUATIONS);
  if (!best) return null;
  if (opts.optimiseSeasonalStates && spec.season !== 'N') {
    const x0 = encodeParameters(spec, best.init, true).map((v, i) => (i < best!.x.length ? best!.x[i] : v));
    best = optimise(ys, spec, x0, undefined, STAGE2_EVALUATIONS) ?? best;
  }
  return buildFit(y, spec, best.params, unscaleState(best.init, spec, scale));
}

interface Optimised {
  x: number[];
  params: EtsParams;
  init: EtsState;
}

/** Maximises the likelihood over the vector x (seasonal states fixed when `fixed` is given). */
function optimise(
  ys: readonly number[],
  spec: EtsSpec,
  x0: number[],
  fixed: readonly number[] | undefined,
  maxEvaluations: number,
): Optimised | null {
  const box = parameterBox(spec, ys, x0, !fixed);
  const objective = (x: number[]): number => {
    const { params, init } = decodeParameters(x, spec, fixed);
    if (spec.season === 'M' && init.seasonal.some((s) => s <= 1e-3)) return Number.POSITIVE_INFINITY;
    return runEts(ys, spec, params, init)?.lik ?? Number.POSITIVE_INFINITY;
  };
  const res = nelderMeadRestarted(objective, x0, { ...box, maxEvaluations, tolerance: TOLERANCE }, 2);
  if (!Number.isFinite(res.value)) return null;
  return { x: res.x, ...decodeParameters(res.x, spec, fixed) };
}

function unscaleState(s: EtsState, spec: EtsSpec, scale: number): EtsState {
  const seasonal = spec.season === 'A' ? s.seasonal.map((v) => v * scale) : [...s.seasonal];
  return { level: s.level * scale, slope: s.slope * scale, seasonal };
}

/** Re-runs the filter on the original scale and computes the information criteria. */
export function buildFit(y: readonly number[], spec: EtsSpec, params: EtsParams, init: EtsState): EtsFit | null {
  const run = runEts(y, spec, params, init, true);
  if (!run) return null;
  const n = y.length;
  const np = parameterCount(spec);
  const k = np + 1; // + the error variance, as R counts it
  const loglik = -0.5 * run.lik;
  const aic = -2 * loglik + 2 * k;
  const aicc = n - k - 1 > 0 ? aic + (2 * k * (k + 1)) / (n - k - 1) : Number.POSITIVE_INFINITY;
  return {
    spec,
    name: etsName(spec),
    params,
    init,
    final: run.final,
    n,
    nParams: np,
    loglik,
    aic,
    aicc,
    bic: -2 * loglik + Math.log(n) * k,
    sigma2: run.sumSq / Math.max(1, n - np),
    fitted: run.fitted,
    residuals: y.map((v, t) => v - run.fitted[t]),
  };
}

export function forecastEts(fit: EtsFit, h: number): IntervalForecast {
  const point = etsPointForecast(fit.final, fit.n, h, fit.spec, fit.params);
  return etsIntervals(point, fit.final, fit.n, fit.spec, fit.params, fit.sigma2);
}

export interface AutoEtsOptions {
  m: number;
  /** Allow seasonal models (the caller decides whether there is enough history). */
  seasonal: boolean;
}

/**
 * The model space of R's ets with restrict = TRUE and no multiplicative trend: additive
 * errors with additive/no season, and multiplicative errors only for strictly positive data.
 */
export function candidateSpecs(y: readonly number[], opts: AutoEtsOptions): EtsSpec[] {
  const positive = y.every((v) => v > 0);
  const seasons: EtsSpec['season'][] = opts.seasonal ? ['N', 'A', 'M'] : ['N'];
  const specs: EtsSpec[] = [];
  for (const error of ['A', 'M'] as const) {
    for (const trend of ['N', 'A', 'Ad'] as const) {
      for (const season of seasons) {
        if (error === 'A' && season === 'M') continue; // infinite-variance models, as R
        if (error === 'M' && !positive) continue;
        specs.push({ error, trend, season, m: opts.m });
      }
    }
  }
  return specs;
}

/** Fits every candidate and returns them sorted by AICc (best first); sane fits only. */
export function rankEtsModels(y: readonly number[], opts: AutoEtsOptions): EtsFit[] {
  const fits: EtsFit[] = [];
  for (const spec of candidateSpecs(y, opts)) {
    const fit = fitEtsModel(y, spec);
    if (fit && isSane(fit, y)) fits.push(fit);
  }
  return fits.sort((a, b) => a.aicc - b.aicc);
}

/** AICc-selected ETS model, or null when nothing could be fitted. */
export function autoEts(y: readonly number[], opts: AutoEtsOptions): EtsFit | null {
  return rankEtsModels(y, opts)[0] ?? null;
}

/**
 * Rejects fits whose two-season forecast explodes: a multiplicative model with a tiny
 * seasonal index can produce finite but absurd paths, and revenue users never want those.
 */
function isSane(fit: EtsFit, y: readonly number[]): boolean {
  const maxAbs = Math.max(...y.map(Math.abs), 1e-9);
  const point = etsPointForecast(fit.final, fit.n, 2 * Math.max(fit.spec.m, 6), fit.spec, fit.params);
  return point.every((v) => Number.isFinite(v) && Math.abs(v) < 10 * maxAbs) && Number.isFinite(fit.aicc);
}
