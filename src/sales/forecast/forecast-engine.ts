/**
 * Entry point for the SalesModule: forecasts a monthly revenue series with the method that
 * did best in a rolling-origin backtest on the series itself, explains the choice, and
 * reports how well each candidate's intervals covered the held-out months.
 */
import { lastOrigins, rollingOriginBacktest, type BacktestMetrics } from './backtest.js';
import {
  CANDIDATES,
  candidateForecasts,
  type CandidateForecasts,
  candidateLabels,
  planCandidates,
  type CandidateName,
  type CandidatePlan,
} from './forecast-candidates.js';
import { finiteOrNull, toSteps, widen, wideningFactor, type ForecastStep } from './forecast-output.js';
import { prepareHistory, type HistoryFacts } from './history-facts.js';
import { seasonalNaiveForecast } from './seasonal-naive.js';

export type ForecastMethod = 'auto' | 'ets' | 'theta' | 'seasonal_naive' | 'combination';

export interface ForecastOptions {
  /** Months to forecast (positive integer). */
  horizon: number;
  /** Season length; 12 for monthly data. */
  seasonLength?: number;
  method?: ForecastMethod;
  /** Below this many months only the naive floor is used (default 12). */
  minHistory?: number;
  /**
   * Called with every backtest window's candidate forecasts (origin = training length, in
   * months of the history after trimming leading zero months), so a caller can score other
   * methods, or blends with these, on exactly the same origins.
   */
  onBacktestForecast?: (origin: number, forecasts: CandidateForecasts) => void;
}

export interface BacktestRow {
  method: CandidateName;
  label: string;
  mase: number | null;
  smape: number | null;
  coverage80: number | null;
  coverage95: number | null;
  origins: number;
}

export interface ForecastResult {
  /** The method whose forecast is returned ('naive' = the short-history floor). */
  method: CandidateName | 'naive';
  /** Human label of that method, e.g. "ETS(A,Ad,A)". */
  model: string;
  reason: string;
  forecast: ForecastStep[];
  backtest: BacktestRow[];
  history: HistoryFacts;
  warnings: string[];
  /** Factor applied to interval widths after the backtest showed under-coverage (1 = none). */
  intervalWidening: number;
}

const DEFAULT_SEASON = 12;
const DEFAULT_MIN_HISTORY = 12;
const MAX_ORIGINS = 12;
/** Fewer origins than this rank methods by noise more than by skill. */
const MIN_MEANINGFUL_ORIGINS = 6;
/** A single method must beat the combination by more than this to be preferred (M4). */
const COMBINATION_MARGIN = 0.05;

export function forecastSeries(history: readonly number[], opts: ForecastOptions): ForecastResult {
  const h = opts.horizon;
  if (!Number.isInteger(h) || h < 1) throw new RangeError(`horizon must be a positive integer, got ${h}`);
  const m = Math.max(1, Math.round(opts.seasonLength ?? DEFAULT_SEASON));
  const minHistory = Math.max(2, opts.minHistory ?? DEFAULT_MIN_HISTORY);
  const prep = prepareHistory(history);
  const y = prep.y;
  const n = y.length;
  const seasonal = m > 1 && n >= 2 * m + 2;
  const facts: HistoryFacts = { ...prep.facts, seasonalModelsFitted: seasonal };
  const warnings = [...prep.warnings];
  if (n < minHistory) return naiveFloor(y, h, m, minHistory, facts, warnings);
  if (m > 1 && !seasonal) {
    warnings.push(`only ${n} months of history: seasonal ETS models need ${2 * m + 2}, so ETS was fitted without seasonality`);
  }

  const plan = planCandidates(y, m, seasonal);
  const labels = candidateLabels(plan, n);
  const origins = lastOrigins(n, MAX_ORIGINS, seasonal ? 2 * m + 2 : minHistory);
  const metrics = rollingOriginBacktest(y, (train, hh) => {
    const forecasts = candidateForecasts(train, hh, plan);
    opts.onBacktestForecast?.(train.length, forecasts);
    return forecasts;
  }, {
    origins,
    horizon: h,
    seasonLength: m,
  });
  const meaningful = origins.length >= MIN_MEANINGFUL_ORIGINS;
  if (!meaningful) warnings.push(`only ${origins.length} backtest origin(s): too few to rank methods reliably`);
  const choice = chooseMethod(opts.method ?? 'auto', metrics, labels, origins.length, meaningful);
  const final = finalForecast(y, h, plan, choice.name, meaningful ? metrics[choice.name] : undefined, warnings);
  return {
    method: choice.name,
    model: labels[choice.name],
    reason: choice.reason,
    forecast: final.steps,
    backtest: backtestRows(metrics, labels),
    history: facts,
    warnings,
    intervalWidening: final.widening,
  };
}

/** Refits the chosen method on the whole history, calibrates its intervals and cleans it. */
function finalForecast(
  y: number[],
  h: number,
  plan: CandidatePlan,
  name: CandidateName,
  metrics: BacktestMetrics | undefined,
  warnings: string[],
): { steps: ForecastStep[]; widening: number } {
  const fc = candidateForecasts(y, h, plan, true)[name];
  const factor = wideningFactor(metrics);
  if (factor > 1) {
    const cov = Math.round((metrics?.coverage95 ?? 0) * 100);
    warnings.push(`intervals widened ×${factor.toFixed(2)}: in the backtest only ${cov}% of actual months fell inside the 95% band`);
  }
  const nonNegative = y.every((v) => v >= 0);
  const { steps, repaired } = toSteps(widen(fc, factor), seasonalNaiveForecast(y, h, plan.m), nonNegative);
  if (repaired > 0) warnings.push(`${repaired} non-finite value(s) replaced by the seasonal naive forecast`);
  return { steps, widening: factor };
}

interface Choice {
  name: CandidateName;
  reason: string;
}

const fmt = (v: number | undefined): string => (v !== undefined && Number.isFinite(v) ? v.toFixed(2) : 'n/a');
const maseOf = (metrics: Record<string, BacktestMetrics>, name: CandidateName): number =>
  Number.isFinite(metrics[name]?.mase) ? metrics[name].mase : Number.POSITIVE_INFINITY;

function chooseMethod(
  requested: ForecastMethod,
  metrics: Record<string, BacktestMetrics>,
  labels: Record<CandidateName, string>,
  originCount: number,
  meaningful: boolean,
): Choice {
  const ranked = [...CANDIDATES].sort((a, b) => maseOf(metrics, a) - maseOf(metrics, b));
  const best = ranked[0];
  const window = `in a ${originCount}-origin rolling backtest`;
  if (requested !== 'auto') {
    const detail = meaningful
      ? `; ${window} its MASE was ${fmt(metrics[requested]?.mase)} (best: ${labels[best]}, ${fmt(metrics[best]?.mase)})`
      : '';
    return { name: requested, reason: `${labels[requested]} was requested${detail}` };
  }
  if (!meaningful) {
    return {
      name: 'combination',
      reason: `only ${originCount} backtest origin(s), too few to rank methods, so the ${labels.combination} was used: simple combinations were the most robust choice in the M4 competition`,
    };
  }
  const comb = maseOf(metrics, 'combination');
  if (best !== 'combination' && comb <= maseOf(metrics, best) * (1 + COMBINATION_MARGIN)) {
    return {
      name: 'combination',
      reason: `${labels.combination} was used: its MASE (${fmt(comb)}) is within ${COMBINATION_MARGIN * 100}% of the best single method, ${labels[best]} (${fmt(metrics[best].mase)}), ${window}, and combinations are more robust (M4 competition)`,
    };
  }
  const runnerUp = ranked[1];
  return {
    name: best,
    reason: `${labels[best]} had the lowest MASE (${fmt(metrics[best]?.mase)} vs ${fmt(metrics[runnerUp]?.mase)} for ${labels[runnerUp]}) ${window}`,
  };
}

function backtestRows(metrics: Record<string, BacktestMetrics>, labels: Record<CandidateName, string>): BacktestRow[] {
  return CANDIDATES.map((name) => ({
    method: name,
    label: labels[name],
    mase: finiteOrNull(metrics[name]?.mase),
    smape: finiteOrNull(metrics[name]?.smape),
    coverage80: finiteOrNull(metrics[name]?.coverage80),
    coverage95: finiteOrNull(metrics[name]?.coverage95),
    origins: metrics[name]?.origins ?? 0,
  }));
}

/** Too little history to compare models: carry the last value (or last season) forward. */
function naiveFloor(
  y: number[],
  h: number,
  m: number,
  minHistory: number,
  history: HistoryFacts,
  warnings: string[],
): ForecastResult {
  const fc = seasonalNaiveForecast(y, h, m);
  const label = fc.lag > 1 ? 'seasonal naive' : 'naive';
  const what = fc.lag > 1 ? 'each month repeats the same month last year' : 'the last month carried forward';
  if (y.length === 0) warnings.push('no revenue history: forecasting zero');
  else warnings.push(`only ${y.length} months of history: seasonal models not fitted; using ${label}`);
  const { steps } = toSteps(fc, fc, y.every((v) => v >= 0));
  return {
    method: 'naive',
    model: label,
    reason: `only ${y.length} months of history (at least ${minHistory} are needed to compare methods), so the ${label} forecast was used: ${what}`,
    forecast: steps,
    backtest: [],
    history,
    warnings,
    intervalWidening: 1,
  };
}
