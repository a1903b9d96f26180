/**
 * How `auto` decides. The time-series engine ranks its own methods by a rolling-origin backtest;
 * when the stage history allows, the pipeline method and the hybrid (open pipeline + time series
 * for the share of revenue from deals not yet created) are forecast from the same origins — each
 * from the pipeline as its stage history stood that day, with probabilities learned only from
 * what was known then — and every fixed method is scored on the same months. The lowest MASE
 * wins; a blend (the hybrid, or the engine's median combination) is preferred when within 5%.
 */
import { lastOrigins, rollingOriginBacktest, type BacktestMetrics } from '../forecast/backtest.js';
import { CANDIDATES, candidateForecasts, planCandidates, type CandidateForecasts, type CandidateName } from '../forecast/forecast-candidates.js';
import type { ForecastResult } from '../forecast/forecast-engine.js';
import { finiteOrNull } from '../forecast/forecast-output.js';
import type { IntervalForecast } from '../forecast/forecast-types.js';
import { hybridForecast, MIN_LEARNING_SNAPSHOTS, pipelineComponents, pipelineForecast, type SnapshotCell } from './pipeline-model.js';

export type SalesMethod = 'timeseries' | 'pipeline' | 'hybrid';
export type RequestedMethod = 'auto' | 'pipeline' | 'timeseries';
export type Candidate = CandidateName | 'pipeline' | 'hybrid';

/** The time-series part of the hybrid: the engine's median combination (robust, not itself a selection). */
export const HYBRID_BASE: CandidateName = 'combination';
const MIN_ORIGINS = 6;
const MAX_ORIGINS = 12;
/** Seasonal naive and the MASE scale need a year and a month of history at every origin. */
const MIN_TRAIN = 13;
const SEASON = 12;
const BLEND_MARGIN = 0.05;
const BLENDS: readonly Candidate[] = ['hybrid', 'combination'];

export interface BacktestRow {
  method: string;
  label: string;
  mase: number | null;
  smape: number | null;
  coverage80: number | null;
  coverage95: number | null;
  origins: number;
}

export interface SelectionInput {
  requested: RequestedMethod;
  /** Complete months of history as the engine used them (leading empty months trimmed). */
  y: readonly number[];
  /** Month index of y[0]. */
  firstMonth: number;
  ts: ForecastResult;
  /** The engine's candidate forecasts at each backtest origin (training length → forecasts). */
  tsOrigins: ReadonlyMap<number, CandidateForecasts>;
  cells: readonly SnapshotCell[];
  revenue: ReadonlyMap<number, number>;
  hMonths: number;
}

export interface Selection {
  method: SalesMethod;
  /** The forecast to return: an engine method (or its short-history floor), pipeline or hybrid. */
  candidate: Candidate | 'naive';
  model: string;
  reason: string;
  rows: BacktestRow[];
  /** Backtest metrics per candidate on the shared origins (empty when the pipeline could not be backtested). */
  metrics: Partial<Record<Candidate, BacktestMetrics>>;
  /** Why the pipeline method was not backtested, when it was not. */
  pipelineNote: string | null;
}

export function candidateLabel(candidate: Candidate | 'naive', ts: ForecastResult): string {
  if (candidate === 'pipeline') return 'pipeline: open deals × learned share won per month + new-business run rate';
  const engine = (name: CandidateName) => ts.backtest.find((r) => r.method === name)?.label ?? name;
  if (candidate === 'hybrid') return `hybrid: open deals × learned share won per month + ${engine(HYBRID_BASE)} for the share from new deals`;
  return candidate === ts.method || candidate === 'naive' ? ts.model : engine(candidate);
}

const methodOf = (c: Candidate | 'naive'): SalesMethod => (c === 'pipeline' || c === 'hybrid' ? c : 'timeseries');

export function selectMethod(input: SelectionInput): Selection {
  const outer = backtestAll(input);
  const rows = outer.metrics.pipeline ? outerRows(outer.metrics, input.ts) : input.ts.backtest.map((row) => ({ ...row }));
  const base = { rows, metrics: outer.metrics, pipelineNote: outer.note };
  const engineChoice = { method: 'timeseries' as const, candidate: input.ts.method, model: input.ts.model };
  if (input.requested === 'timeseries') return { ...engineChoice, reason: input.ts.reason, ...base };
  if (input.requested === 'pipeline' && input.cells.length === 0) {
    const reason = `the pipeline method was requested, but there is no open deal in the stage history before asOf to learn from, so the time series was used: ${input.ts.reason}`;
    return { ...engineChoice, reason, ...base };
  }
  if (input.requested === 'pipeline') {
    const m = outer.metrics.pipeline;
    const detail = m ? ` (its MASE was ${fmt(m.mase)} in a ${m.origins}-origin rolling backtest; ${input.ts.model}: ${fmt(outer.metrics[input.ts.method as CandidateName]?.mase)})` : ` (${outer.note})`;
    return { method: 'pipeline', candidate: 'pipeline', model: candidateLabel('pipeline', input.ts), reason: `the pipeline method was requested${detail}`, ...base };
  }
  if (!outer.metrics.pipeline) {
    return { ...engineChoice, reason: `${input.ts.reason}${outer.note ? `; the pipeline method was not considered: ${outer.note}` : ''}`, ...base };
  }
  const chosen = choose(outer.metrics, input.hMonths);
  return { method: methodOf(chosen.candidate), candidate: chosen.candidate, model: candidateLabel(chosen.candidate, input.ts), reason: chosen.reason, ...base };
}

function choose(metrics: Partial<Record<Candidate, BacktestMetrics>>, h: number): { candidate: Candidate; reason: string } {
  const mase = (c: Candidate) => (Number.isFinite(metrics[c]?.mase) ? metrics[c]!.mase : Number.POSITIVE_INFINITY);
  const ranked = (Object.keys(metrics) as Candidate[]).sort((a, b) => mase(a) - mase(b));
  const window = `in a ${metrics.pipeline!.origins}-origin rolling backtest, 1–${h} month(s) ahead, each origin forecast from the data and pipeline known then`;
  const others = ranked.slice(1, 4).map((c) => `${c} ${fmt(mase(c))}`).join(', ');
  const best = ranked[0];
  const blend = ranked.find((c) => BLENDS.includes(c));
  if (!BLENDS.includes(best) && blend && mase(blend) <= mase(best) * (1 + BLEND_MARGIN)) {
    return {
      candidate: blend,
      reason: `${blend} was used: its MASE (${fmt(mase(blend))}) is within ${BLEND_MARGIN * 100}% of the best, ${best} (${fmt(mase(best))}), ${window}, and blends are more robust`,
    };
  }
  return { candidate: best, reason: `${best} had the lowest MASE (${fmt(mase(best))}; then ${others}) ${window}` };
}

/** Scores every engine method, the pipeline and the hybrid on the origins where the pipeline can be learned. */
function backtestAll(input: SelectionInput): { metrics: Partial<Record<Candidate, BacktestMetrics>>; note: string | null } {
  if (input.cells.length === 0) return { metrics: {}, note: 'no open deals in the stage history before asOf' };
  if (input.ts.method === 'naive') return { metrics: {}, note: 'too little revenue history to backtest' };
  const forecasts = new Map<number, Record<Candidate, IntervalForecast>>();
  // The engine's own origins start where a seasonal model can be fitted (26 months); these start
  // at 13, reusing its forecasts where it made them and the same model forms elsewhere.
  let plan: ReturnType<typeof planCandidates> | undefined;
  for (const origin of lastOrigins(input.y.length, MAX_ORIGINS, MIN_TRAIN)) {
    const comps = pipelineComponents(input.cells, input.revenue, input.firstMonth + origin, input.hMonths, false);
    if (comps.snapshots < MIN_LEARNING_SNAPSHOTS) continue;
    plan ??= planCandidates(input.y, SEASON, input.ts.history.seasonalModelsFitted);
    const engine = input.tsOrigins.get(origin) ?? candidateForecasts(input.y.slice(0, origin), input.hMonths, plan);
    forecasts.set(origin, { ...engine, pipeline: pipelineForecast(comps), hybrid: hybridForecast(comps, engine[HYBRID_BASE]) });
  }
  if (forecasts.size < MIN_ORIGINS) {
    return {
      metrics: {},
      note: `the stage history allows only ${forecasts.size} backtest origin(s) with at least ${MIN_LEARNING_SNAPSHOTS} monthly pipeline snapshots before them (${MIN_ORIGINS} needed)`,
    };
  }
  const origins = [...forecasts.keys()].sort((a, b) => a - b);
  const metrics = rollingOriginBacktest(input.y, (train) => forecasts.get(train.length)!, { origins, horizon: input.hMonths, seasonLength: SEASON });
  return { metrics: metrics as Partial<Record<Candidate, BacktestMetrics>>, note: null };
}

function outerRows(metrics: Partial<Record<Candidate, BacktestMetrics>>, ts: ForecastResult): BacktestRow[] {
  return [...CANDIDATES, 'pipeline' as const, 'hybrid' as const]
    .filter((c) => metrics[c])
    .map((c) => {
      const m = metrics[c]!;
      return { method: c, label: candidateLabel(c, ts), mase: finiteOrNull(m.mase), smape: finiteOrNull(m.smape), coverage80: finiteOrNull(m.coverage80), coverage95: finiteOrNull(m.coverage95), origins: m.origins };
    });
}

const fmt = (v: number | undefined): string => (v !== undefined && Number.isFinite(v) ? v.toFixed(2) : 'n/a');
