/**
 * Every forecast `auto` chooses from, built the same way at each backtest origin and for the
 * final answer: the engine's methods (ETS, Theta, seasonal naive, their median), the seasonal
 * decomposition candidates and their blend, and — when the stage history allows — the pipeline
 * method and the hybrid. All are forecasts of the revenue still to come per month.
 */
import type { CandidateForecasts, CandidateName } from '../forecast/forecast-candidates.js';
import type { IntervalForecast } from '../forecast/forecast-types.js';
import { hybridForecast, MIN_LEARNING_SNAPSHOTS, pipelineComponents, pipelineForecast, type PipelineComponents, type SnapshotCell } from './pipeline-model.js';
import { calendarFigure, seasonalCandidates } from './seasonal-candidates.js';

export type Candidate = CandidateName | 'decomposition' | 'pooled_theta' | 'blend' | 'pipeline' | 'hybrid';
export const TIME_SERIES_CANDIDATES: readonly Candidate[] = ['ets', 'theta', 'seasonal_naive', 'combination', 'decomposition', 'pooled_theta', 'blend'];
export const ALL_CANDIDATES: readonly Candidate[] = [...TIME_SERIES_CANDIDATES, 'pipeline', 'hybrid'];

export interface CandidateContext {
  /** Complete months of history (leading empty months trimmed); y[0] is month `firstMonth`. */
  y: readonly number[];
  firstMonth: number;
  hMonths: number;
  /** The series whose seasonal pattern is used: all the tenant's deals when filtered, else y's own months. */
  reference: ReadonlyMap<number, number>;
  cells: readonly SnapshotCell[];
  /** Closed-won revenue by month index (complete months). */
  revenue: ReadonlyMap<number, number>;
}

export interface CandidateSet {
  forecasts: Partial<Record<Candidate, IntervalForecast>>;
  /** The pipeline components, when the pipeline could be learned there. */
  pipeline: PipelineComponents | null;
}

/**
 * The candidates from the first `origin` months (origin = y.length for the final forecast, with
 * `live` set: the pipeline is the one at asOf and the first month counts only its `remaining` part).
 */
export function candidatesAt(ctx: CandidateContext, origin: number, engine: CandidateForecasts, live?: { remaining: number }): CandidateSet {
  const month = ctx.firstMonth + origin;
  const remaining = live?.remaining ?? 1;
  const forecasts: Partial<Record<Candidate, IntervalForecast>> = {};
  for (const [name, fc] of Object.entries(engine) as [CandidateName, IntervalForecast][]) forecasts[name] = scaleFirst(fc, remaining);
  const seasonal = seasonalCandidates(ctx.y.slice(0, origin), ctx.firstMonth, ctx.hMonths, calendarFigure(ctx.reference, month), engine);
  if (seasonal) for (const [name, fc] of Object.entries(seasonal)) forecasts[name as Candidate] = scaleFirst(fc, remaining);
  const comps = ctx.cells.length > 0 ? pipelineComponents(ctx.cells, ctx.revenue, month, ctx.hMonths, live ? { midMonth: remaining < 1 } : false) : null;
  const learnable = comps !== null && comps.snapshots >= MIN_LEARNING_SNAPSHOTS;
  if (comps && (learnable || live)) {
    forecasts.pipeline = pipelineForecast(comps, remaining);
    forecasts.hybrid = hybridForecast(comps, forecasts.blend ?? forecasts.combination!);
  }
  return { forecasts, pipeline: learnable || live ? comps : null };
}

/** Scales the first month (the one containing asOf) to the part of it still to come. */
export function scaleFirst(fc: IntervalForecast, remaining: number): IntervalForecast {
  if (remaining >= 1) return fc;
  const scale = (values: number[]) => values.map((v, j) => (j === 0 ? v * remaining : v));
  return { point: scale(fc.point), lower80: scale(fc.lower80), upper80: scale(fc.upper80), lower95: scale(fc.lower95), upper95: scale(fc.upper95) };
}
