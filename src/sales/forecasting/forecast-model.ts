/**
 * The forecast itself, from aggregated inputs to periods: the engine on the monthly history, the
 * choice among all candidates by a shared rolling-origin backtest, the chosen forecast
 * calibrated and summed into the requested periods. Pure: no database, no clock.
 */
import type { CandidateForecasts } from '../forecast/forecast-candidates.js';
import { planCandidates } from '../forecast/forecast-candidates.js';
import { forecastSeries, type ForecastResult } from '../forecast/forecast-engine.js';
import { daysInMonth, monthIndex } from '../shared/periods.js';
import { finalForecast } from './final-forecast.js';
import { selectMethod, type RequestedMethod, type Selection } from './forecast-selection.js';
import { aggregatePeriods, monthsNeeded, type PeriodForecast } from './period-aggregation.js';
import type { PipelineComponents, SnapshotCell } from './pipeline-model.js';

export interface MonthFacts {
  month: number;
  revenue: number;
  deals: number;
}

export interface ModelInput {
  requested: RequestedMethod;
  interval: 'month' | 'quarter';
  horizon: number;
  asOf: string;
  /** Closed-won revenue per month up to the month containing asOf (that one only before asOf). */
  months: MonthFacts[];
  /** All the tenant's deals per month when the forecast is filtered (their seasonality is pooled); else null. */
  reference: MonthFacts[] | null;
  cells: SnapshotCell[];
}

export interface ModelOutput {
  selection: Selection;
  ts: ForecastResult;
  periods: PeriodForecast[];
  widening: number;
  warnings: string[];
  live: PipelineComponents | null;
  /** Complete months before asOf's month. */
  complete: MonthFacts[];
  firstMonth: number;
  hMonths: number;
}

export function runForecastModel(input: ModelInput): ModelOutput {
  const asOfMonth = monthIndex(input.asOf);
  const hMonths = monthsNeeded(asOfMonth, input.interval, input.horizon);
  const complete = input.months.filter((m) => m.month < asOfMonth);
  const tsOrigins = new Map<number, CandidateForecasts>();
  const ts = forecastSeries(complete.map((m) => m.revenue), { horizon: hMonths, onBacktestForecast: (origin, f) => tsOrigins.set(origin, f) });
  const firstMonth = (complete[0]?.month ?? asOfMonth) + ts.history.leadingZerosTrimmed;
  const y = complete.slice(ts.history.leadingZerosTrimmed).map((m) => m.revenue);
  const revenue = new Map(complete.map((m) => [m.month, m.revenue]));
  const reference = input.reference ? new Map(input.reference.filter((m) => m.month < asOfMonth).map((m) => [m.month, m.revenue])) : revenue;
  const ctx = { y, firstMonth, hMonths, reference, cells: input.cells, revenue };
  // The short-history floor needs no model forms.
  const plan = ts.method === 'naive' ? { m: 12, seasonal: false, ets: null } : planCandidates(y, 12, ts.history.seasonalModelsFitted);
  const selection = selectMethod({ ...ctx, requested: input.requested, ts, tsOrigins, pooled: input.reference !== null, plan });
  const remaining = 1 - (Number(input.asOf.slice(8, 10)) - 1) / daysInMonth(asOfMonth);
  const final = finalForecast(ctx, plan, selection, ts, remaining);
  const actuals = new Map(input.months.map((m) => [m.month, m.revenue]));
  const periods = aggregatePeriods({ asOfMonth, interval: input.interval, horizon: input.horizon, monthly: final.monthly, actuals, openPipeline: final.openPipeline });
  return { selection, ts, periods, widening: final.widening, warnings: [...ts.warnings, ...final.warnings], live: final.live, complete, firstMonth, hMonths };
}
