/**
 * How `auto` decides. Every candidate (see candidate-set.ts) is forecast from the same rolling
 * origins — the last 12 months, each from only the data known then, the pipeline rebuilt from
 * the stage history as it stood — and scored on the same months. The robust default (the hybrid
 * when the pipeline can be learned, else the median blend of time-series methods) is kept unless
 * another candidate's MASE is more than 20% lower: in our simulations of noisy retail series,
 * picking the single best of a dozen noisy backtest months lost to the blend far more often
 * than it won (the M4 competition found the same), so only a clear winner may replace it.
 */
import { lastOrigins, rollingOriginBacktest, type BacktestMetrics } from '../forecast/backtest.js';
import { candidateForecasts, type CandidateForecasts, type CandidatePlan } from '../forecast/forecast-candidates.js';
import type { ForecastResult } from '../forecast/forecast-engine.js';
import { finiteOrNull } from '../forecast/forecast-output.js';
import type { IntervalForecast } from '../forecast/forecast-types.js';
import { ALL_CANDIDATES, candidatesAt, TIME_SERIES_CANDIDATES, type Candidate, type CandidateContext } from './candidate-set.js';

export type SalesMethod = 'timeseries' | 'pipeline' | 'hybrid';
export type RequestedMethod = 'auto' | 'pipeline' | 'timeseries';

const MIN_ORIGINS = 6;
const MAX_ORIGINS = 12;
/** Seasonal naive and the MASE scale need a year and a month of history at every origin. */
const MIN_TRAIN = 13;
const SEASON = 12;
const SWITCH_MARGIN = 0.2;
const SEASONAL: readonly Candidate[] = ['decomposition', 'pooled_theta', 'blend'];

export interface BacktestRow {
  method: string;
  label: string;
  mase: number | null;
  smape: number | null;
  coverage80: number | null;
  coverage95: number | null;
  origins: number;
}

export interface SelectionInput extends CandidateContext {
  requested: RequestedMethod;
  ts: ForecastResult;
  /** The engine's candidate forecasts at each of its backtest origins (training length → forecasts). */
  tsOrigins: ReadonlyMap<number, CandidateForecasts>;
  /** Whether the seasonal pattern comes from all deals (the forecast is for a region or segment). */
  pooled: boolean;
  /** The engine's model forms, chosen on the whole history (as its own backtest uses them). */
  plan: CandidatePlan;
}

export interface Selection {
  method: SalesMethod;
  candidate: Candidate | 'naive';
  model: string;
  reason: string;
  rows: BacktestRow[];
  /** Backtest metrics per candidate on the shared origins (empty when there were too few). */
  metrics: Partial<Record<Candidate, BacktestMetrics>>;
  /** Why the pipeline method was not part of the backtest, when it was not. */
  pipelineNote: string | null;
}

export function candidateLabel(c: Candidate | 'naive', ts: ForecastResult, pooled: boolean): string {
  const engine = (name: string) => ts.backtest.find((r) => r.method === name)?.label ?? name.replace('_', ' ');
  const seasonality = pooled ? 'seasonality of all the tenant’s deals' : 'its own seasonality';
  switch (c) {
    case 'naive':
      return ts.model;
    case 'decomposition':
      return `seasonal decomposition (${seasonality}) × last-12-month level × damped growth`;
    case 'pooled_theta':
      return `Theta on the seasonally adjusted series (${seasonality})`;
    case 'blend':
      return `median of the seasonal decomposition, Theta on the adjusted series and ${engine('combination')}`;
    case 'pipeline':
      return 'pipeline: open deals × learned share won per month + new-business run rate';
    case 'hybrid':
      return 'hybrid: open deals × learned share won per month + the time-series blend for the share from new deals';
    default:
      return engine(c);
  }
}

const methodOf = (c: Candidate | 'naive'): SalesMethod => (c === 'pipeline' || c === 'hybrid' ? c : 'timeseries');

export function selectMethod(input: SelectionInput): Selection {
  const label = (c: Candidate | 'naive') => candidateLabel(c, input.ts, input.pooled);
  const noPipeline = 'the pipeline method was requested, but there is no open deal in the stage history before asOf to learn from, so the time series was used';
  if (input.ts.method === 'naive') {
    const reason = input.requested === 'pipeline' && input.cells.length === 0 ? `${noPipeline}: ${input.ts.reason}` : input.ts.reason;
    return { method: 'timeseries', candidate: 'naive', model: input.ts.model, reason, rows: [], metrics: {}, pipelineNote: 'too little revenue history to backtest' };
  }
  const family = input.requested === 'timeseries' ? TIME_SERIES_CANDIDATES : ALL_CANDIDATES;
  const { metrics, origins, note } = backtest(input, family);
  const rows = rowsOf(metrics, label);
  const base = { rows, metrics, pipelineNote: note };
  if (input.requested === 'pipeline') {
    if (input.cells.length === 0) {
      const fallback = pickDefault(metrics, ['blend', 'combination']);
      return { method: 'timeseries', candidate: fallback, model: label(fallback), reason: `${noPipeline}: ${label(fallback)}`, ...base };
    }
    const m = metrics.pipeline;
    const detail = m ? ` (its MASE was ${fmt(m.mase)} in a ${m.origins}-origin rolling backtest)` : ` (not backtested: ${note})`;
    return { method: 'pipeline', candidate: 'pipeline', model: label('pipeline'), reason: `the pipeline method was requested${detail}`, ...base };
  }
  if (origins < MIN_ORIGINS) {
    const fallback = pickDefault(metrics, ['blend', 'combination']);
    const reason = `only ${origins} backtest origin(s), too few to rank methods, so ${label(fallback)} was used: simple combinations were the most robust choice in the M4 competition`;
    return { method: 'timeseries', candidate: fallback, model: label(fallback), reason, ...base };
  }
  const chosen = choose(metrics, input.hMonths, origins, label);
  const pipelineNote = input.requested === 'auto' && note ? `; the pipeline method was not part of it: ${note}` : '';
  return { method: methodOf(chosen.candidate), candidate: chosen.candidate, model: label(chosen.candidate), reason: `${chosen.reason}${pipelineNote}`, ...base };
}

function pickDefault(metrics: Partial<Record<Candidate, BacktestMetrics>>, order: Candidate[]): Candidate {
  return order.find((c) => metrics[c]) ?? order[order.length - 1];
}

function choose(metrics: Partial<Record<Candidate, BacktestMetrics>>, h: number, origins: number, label: (c: Candidate) => string): { candidate: Candidate; reason: string } {
  const mase = (c: Candidate) => (Number.isFinite(metrics[c]?.mase) ? metrics[c]!.mase : Number.POSITIVE_INFINITY);
  const present = ALL_CANDIDATES.filter((c) => metrics[c]);
  const best = [...present].sort((a, b) => mase(a) - mase(b))[0];
  const fallback = pickDefault(metrics, ['hybrid', 'blend', 'combination']);
  const window = `in a ${origins}-origin rolling backtest, 1–${h} month(s) ahead, each origin forecast from only the data known then`;
  if (best === fallback || mase(fallback) <= mase(best) * (1 + SWITCH_MARGIN)) {
    const versus = best === fallback ? 'the lowest of all candidates' : `within ${SWITCH_MARGIN * 100}% of the best, ${best} (${fmt(mase(best))})`;
    return { candidate: fallback, reason: `${fallback} — ${label(fallback)} — is the robust default and was used: its MASE (${fmt(mase(fallback))}) was ${versus}, ${window}` };
  }
  return { candidate: best, reason: `${best} — ${label(best)} — had clearly the lowest MASE (${fmt(mase(best))}, more than ${SWITCH_MARGIN * 100}% below the robust default ${fallback}, ${fmt(mase(fallback))}) ${window}` };
}

/**
 * Scores the family on the last origins where all its members can be forecast; when the pipeline
 * is learnable at too few of them, it is left out (and so on for the seasonal candidates).
 */
function backtest(input: SelectionInput, family: readonly Candidate[]) {
  const perOrigin = new Map<number, Partial<Record<Candidate, IntervalForecast>>>();
  for (const origin of lastOrigins(input.y.length, MAX_ORIGINS, MIN_TRAIN)) {
    const engine = input.tsOrigins.get(origin) ?? candidateForecasts(input.y.slice(0, origin), input.hMonths, input.plan);
    perOrigin.set(origin, candidatesAt(input, origin, engine).forecasts);
  }
  const engine: Candidate[] = ['ets', 'theta', 'seasonal_naive', 'combination'];
  const pipelineNote = input.cells.length === 0 ? 'no open deals in the stage history before asOf' : `the stage history allows fewer than ${MIN_ORIGINS} backtest origins with enough monthly pipeline snapshots before them`;
  // Evidence from the pipeline outweighs the seasonal candidates: when not all can be scored on
  // enough origins (the seasonal ones need two years before each), those go first.
  const tiers: { members: readonly Candidate[]; note: string | null }[] = [
    { members: family, note: null },
    { members: family.filter((c) => !SEASONAL.includes(c)), note: null },
    { members: family.filter((c) => c !== 'pipeline' && c !== 'hybrid'), note: pipelineNote },
    { members: engine, note: pipelineNote },
  ];
  for (const tier of tiers) {
    const members = tier.members.filter((c) => [...perOrigin.values()].some((f) => f[c]));
    const origins = [...perOrigin].filter(([, f]) => members.every((c) => f[c])).map(([o]) => o);
    if (origins.length < MIN_ORIGINS && tier !== tiers[tiers.length - 1]) continue;
    if (origins.length === 0) return { metrics: {}, origins: 0, note: tier.note };
    const metrics = rollingOriginBacktest(input.y, (train) => pick(perOrigin.get(train.length)!, members), { origins, horizon: input.hMonths, seasonLength: SEASON });
    const hasPipeline = family.includes('pipeline') && members.includes('pipeline');
    return { metrics: metrics as Partial<Record<Candidate, BacktestMetrics>>, origins: origins.length, note: hasPipeline || !family.includes('pipeline') ? null : pipelineNote };
  }
  return { metrics: {}, origins: 0, note: null };
}

function pick(forecasts: Partial<Record<Candidate, IntervalForecast>>, members: readonly Candidate[]): Record<string, IntervalForecast> {
  return Object.fromEntries(members.map((c) => [c, forecasts[c]!]));
}

function rowsOf(metrics: Partial<Record<Candidate, BacktestMetrics>>, label: (c: Candidate) => string): BacktestRow[] {
  return ALL_CANDIDATES.filter((c) => metrics[c]).map((c) => {
    const m = metrics[c]!;
    return { method: c, label: label(c), mase: finiteOrNull(m.mase), smape: finiteOrNull(m.smape), coverage80: finiteOrNull(m.coverage80), coverage95: finiteOrNull(m.coverage95), origins: m.origins };
  });
}

const fmt = (v: number | undefined): string => (v !== undefined && Number.isFinite(v) ? v.toFixed(2) : 'n/a');
