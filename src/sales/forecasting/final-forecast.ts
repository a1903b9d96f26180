/**
 * The chosen candidate's monthly forecast of the revenue still to come (from the month containing
 * asOf), built as in the backtest and with intervals calibrated by that candidate's backtest.
 */
import { candidateForecasts, type CandidatePlan } from '../forecast/forecast-candidates.js';
import type { ForecastResult } from '../forecast/forecast-engine.js';
import { toSteps, widen, wideningFactor, type ForecastStep } from '../forecast/forecast-output.js';
import type { IntervalForecast } from '../forecast/forecast-types.js';
import { candidatesAt, scaleFirst, type CandidateContext } from './candidate-set.js';
import type { Selection } from './forecast-selection.js';
import type { PipelineComponents } from './pipeline-model.js';

export interface FinalForecast {
  monthly: IntervalForecast;
  /** Expected revenue from the deals open at asOf, per month (pipeline-based methods only). */
  openPipeline?: number[];
  widening: number;
  warnings: string[];
  /** The pipeline at asOf, when there is one. */
  live: PipelineComponents | null;
}

export function finalForecast(ctx: CandidateContext, plan: CandidatePlan, selection: Selection, ts: ForecastResult, remaining: number): FinalForecast {
  if (selection.candidate === 'naive') {
    return { monthly: scaleFirst(asForecast(ts.forecast), remaining), widening: ts.intervalWidening, warnings: [], live: null };
  }
  // The engine's methods refitted on the whole history, with their raw (uncalibrated) intervals.
  const set = candidatesAt(ctx, ctx.y.length, candidateForecasts(ctx.y, ctx.hMonths, plan, true), { remaining });
  const raw = set.forecasts[selection.candidate] ?? set.forecasts.combination!;
  const metrics = selection.metrics[selection.candidate];
  const factor = wideningFactor(metrics);
  const warnings: string[] = [];
  if (factor > 1) {
    warnings.push(`intervals widened ×${factor.toFixed(2)}: in the backtest only ${Math.round((metrics?.coverage95 ?? 0) * 100)}% of actual months fell inside the 95% band`);
  }
  const fallback = set.forecasts.seasonal_naive!;
  const { steps, repaired } = toSteps(widen(raw, factor), fallback, true);
  if (repaired > 0) warnings.push(`${repaired} non-finite value(s) replaced by the seasonal naive forecast`);
  const pipelineBased = selection.method !== 'timeseries' && set.pipeline;
  return { monthly: asForecast(steps), openPipeline: pipelineBased ? set.pipeline!.expected : undefined, widening: factor, warnings, live: set.pipeline };
}

function asForecast(steps: readonly Omit<ForecastStep, 'step'>[]): IntervalForecast {
  return {
    point: steps.map((s) => s.point),
    lower80: steps.map((s) => s.lower80),
    upper80: steps.map((s) => s.upper80),
    lower95: steps.map((s) => s.lower95),
    upper95: steps.map((s) => s.upper95),
  };
}
