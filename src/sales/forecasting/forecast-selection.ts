/**
 * How `auto` decides. The time-series engine picks its own best method by a rolling-origin
 * backtest; here the pipeline method and the hybrid (open pipeline + time series for the rest)
 * are forecast from the same origins — each from the pipeline as its stage history stood on that
 * day and with win probabilities learned only from what was known then — and scored on the same
 * months. The lowest MASE wins; the hybrid is preferred when within 5% (blends are more robust).
 */
import { rollingOriginBacktest, type BacktestMetrics } from '../forecast/backtest.js';
import type { CandidateForecasts } from '../forecast/forecast-candidates.js';
import type { ForecastResult } from '../forecast/forecast-engine.js';
import { finiteOrNull } from '../forecast/forecast-output.js';
import type { IntervalForecast } from '../forecast/forecast-types.js';
import {
  hybridForecast,
  MIN_LEARNING_SNAPSHOTS,
  pipelineComponents,
  pipelineForecast,
  type SnapshotCell,
} from './pipeline-model.js';

export type SalesMethod = 'timeseries' | 'pipeline' | 'hybrid';
export type RequestedMethod = 'auto' | 'pipeline' | 'timeseries';

const MIN_ORIGINS = 6;
const BLEND_MARGIN = 0.05;

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
  model: string;
  reason: string;
  rows: BacktestRow[];
  /** Outer backtest metrics per method (empty when the pipeline could not be backtested). */
  metrics: Partial<Record<SalesMethod, BacktestMetrics>>;
  /** Why the pipeline method was not backtested, when it was not. */
  pipelineNote: string | null;
}

export function labels(ts: ForecastResult): Record<SalesMethod, string> {
  return {
    timeseries: `time series: ${ts.model}`,
    pipeline: 'pipeline: open deals × learned P(won in month) + new-business run rate',
    hybrid: `hybrid: open deals × learned P(won in month) + ${ts.model} for the share from new deals`,
  };
}

export function selectMethod(input: SelectionInput): Selection {
  const names = labels(input.ts);
  const libraryRows: BacktestRow[] = input.ts.backtest.map((row) => ({ ...row }));
  const outer = backtestPipeline(input);
  const rows = [...libraryRows, ...outerRows(outer.metrics, names)];
  if (input.requested === 'timeseries' || (input.requested === 'auto' && !outer.metrics.pipeline)) {
    const note = input.requested === 'auto' && outer.note ? `; the pipeline method was not considered: ${outer.note}` : '';
    return { method: 'timeseries', model: input.ts.model, reason: `${input.ts.reason}${note}`, rows, metrics: outer.metrics, pipelineNote: outer.note };
  }
  if (input.requested === 'pipeline' && input.cells.length === 0) {
    const reason = `the pipeline method was requested, but there is no open deal in the stage history before asOf to learn from, so the time series was used: ${input.ts.reason}`;
    return { method: 'timeseries', model: input.ts.model, reason, rows, metrics: outer.metrics, pipelineNote: outer.note };
  }
  if (input.requested === 'pipeline') {
    const m = outer.metrics.pipeline;
    const detail = m ? ` (its MASE was ${fmt(m.mase)} in a ${m.origins}-origin rolling backtest; time series: ${fmt(outer.metrics.timeseries?.mase)})` : ` (${outer.note})`;
    return { method: 'pipeline', model: names.pipeline, reason: `the pipeline method was requested${detail}`, rows, metrics: outer.metrics, pipelineNote: outer.note };
  }
  return { ...choose(outer.metrics, names, input.hMonths), rows, metrics: outer.metrics, pipelineNote: null };
}

function choose(metrics: Partial<Record<SalesMethod, BacktestMetrics>>, names: Record<SalesMethod, string>, h: number) {
  const mase = (m: SalesMethod) => (Number.isFinite(metrics[m]?.mase) ? metrics[m]!.mase : Number.POSITIVE_INFINITY);
  const ranked = (['timeseries', 'pipeline', 'hybrid'] as const).slice().sort((a, b) => mase(a) - mase(b));
  const origins = metrics.timeseries?.origins ?? 0;
  const window = `in a ${origins}-origin rolling backtest, 1–${h} month(s) ahead, each origin forecast from the pipeline as its stage history stood then`;
  const others = ranked.slice(1).map((m) => `${m} ${fmt(mase(m))}`).join(', ');
  let method: SalesMethod = ranked[0];
  let reason = `${method} had the lowest MASE (${fmt(mase(method))}; ${others}) ${window}`;
  if (method !== 'hybrid' && mase('hybrid') <= mase(method) * (1 + BLEND_MARGIN)) {
    reason = `hybrid was used: its MASE (${fmt(mase('hybrid'))}) is within ${BLEND_MARGIN * 100}% of the best, ${method} (${fmt(mase(method))}), ${window}, and blends are more robust`;
    method = 'hybrid';
  }
  return { method, model: names[method], reason };
}

/** Scores time series, pipeline and hybrid on the backtest origins where the pipeline can be learned. */
function backtestPipeline(input: SelectionInput): { metrics: Partial<Record<SalesMethod, BacktestMetrics>>; note: string | null } {
  if (input.cells.length === 0) return { metrics: {}, note: 'no open deals in the stage history before asOf' };
  if (input.ts.method === 'naive') return { metrics: {}, note: 'too little revenue history to backtest' };
  const forecasts = new Map<number, Record<SalesMethod, IntervalForecast>>();
  for (const [origin, candidates] of input.tsOrigins) {
    const month = input.firstMonth + origin;
    const comps = pipelineComponents(input.cells, input.revenue, month, input.hMonths, false);
    if (comps.snapshots < MIN_LEARNING_SNAPSHOTS) continue;
    const ts = candidates[input.ts.method as keyof CandidateForecasts];
    forecasts.set(origin, { timeseries: ts, pipeline: pipelineForecast(comps), hybrid: hybridForecast(comps, ts) });
  }
  if (forecasts.size < MIN_ORIGINS) {
    return {
      metrics: {},
      note: `the stage history allows only ${forecasts.size} backtest origin(s) with at least ${MIN_LEARNING_SNAPSHOTS} monthly pipeline snapshots before them (${MIN_ORIGINS} needed)`,
    };
  }
  const origins = [...forecasts.keys()].sort((a, b) => a - b);
  const metrics = rollingOriginBacktest(input.y, (train) => forecasts.get(train.length)!, {
    origins,
    horizon: input.hMonths,
    seasonLength: 12,
  }) as Partial<Record<SalesMethod, BacktestMetrics>>;
  return { metrics, note: null };
}

function outerRows(metrics: Partial<Record<SalesMethod, BacktestMetrics>>, names: Record<SalesMethod, string>): BacktestRow[] {
  return (Object.keys(metrics) as SalesMethod[]).map((method) => {
    const m = metrics[method]!;
    return {
      method,
      label: names[method],
      mase: finiteOrNull(m.mase),
      smape: finiteOrNull(m.smape),
      coverage80: finiteOrNull(m.coverage80),
      coverage95: finiteOrNull(m.coverage95),
      origins: m.origins,
    };
  });
}

const fmt = (v: number | undefined): string => (v !== undefined && Number.isFinite(v) ? v.toFixed(2) : 'n/a');
