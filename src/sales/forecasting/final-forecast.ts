/**
 * The chosen method's monthly forecast of the revenue still to come (from the month containing
 * asOf), with intervals calibrated by that method's own backtest.
 */
import type { CandidateName } from '../forecast/forecast-candidates.js';
import { forecastSeries, type ForecastResult } from '../forecast/forecast-engine.js';
import { toSteps, widen, wideningFactor, type ForecastStep } from '../forecast/forecast-output.js';
import type { IntervalForecast } from '../forecast/forecast-types.js';
import { HYBRID_BASE, type Selection } from './forecast-selection.js';
import { hybridForecast, pipelineForecast, type PipelineComponents } from './pipeline-model.js';

export interface FinalForecast {
  monthly: IntervalForecast;
  /** Expected revenue from the deals open at asOf, per month (pipeline-based methods only). */
  openPipeline?: number[];
  widening: number;
  warnings: string[];
}

export interface FinalInput {
  selection: Selection;
  ts: ForecastResult;
  y: readonly number[];
  hMonths: number;
  live: PipelineComponents | null;
  /** Share of the first month still to come (1 when asOf is its first day). */
  remaining: number;
}

export function finalForecast({ selection, ts, y, hMonths, live, remaining }: FinalInput): FinalForecast {
  const engine = (name: CandidateName): ForecastResult => (name === ts.method ? ts : forecastSeries(y, { horizon: hMonths, method: name }));
  if (selection.method === 'timeseries' || !live) {
    const result = selection.candidate === 'naive' || selection.candidate === ts.method ? ts : engine(selection.candidate as CandidateName);
    const extra = result.warnings.filter((w) => !ts.warnings.includes(w));
    return { monthly: scaleFirst(asForecast(result.forecast), remaining), widening: result.intervalWidening, warnings: extra };
  }
  const base = engine(HYBRID_BASE);
  // The hybrid's time-series part enters with its raw intervals, as in the backtest that calibrates the hybrid.
  const tsPart = scaleFirst(unwiden(asForecast(base.forecast), base.intervalWidening), remaining);
  const raw = selection.method === 'pipeline' ? pipelineForecast(live, remaining) : hybridForecast(live, tsPart);
  const metrics = selection.metrics[selection.method];
  const factor = wideningFactor(metrics);
  const warnings: string[] = [];
  if (factor > 1) {
    warnings.push(`intervals widened ×${factor.toFixed(2)}: in the backtest only ${Math.round((metrics?.coverage95 ?? 0) * 100)}% of actual months fell inside the 95% band`);
  }
  const { steps } = toSteps(widen(raw, factor), tsPart, true);
  return { monthly: asForecast(steps), openPipeline: live.expected, widening: factor, warnings };
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

function unwiden(fc: IntervalForecast, factor: number): IntervalForecast {
  return factor > 1 ? widen(fc, 1 / factor) : fc;
}

/** Scales the first month (the one containing asOf) to the part of it still to come. */
export function scaleFirst(fc: IntervalForecast, remaining: number): IntervalForecast {
  if (remaining >= 1) return fc;
  const scale = (values: number[]) => values.map((v, j) => (j === 0 ? v * remaining : v));
  return { point: scale(fc.point), lower80: scale(fc.lower80), upper80: scale(fc.upper80), lower95: scale(fc.lower95), upper95: scale(fc.upper95) };
}
