/**
 * Turns monthly forecasts of the revenue still to come (from the month containing asOf on)
 * into the requested periods, adding what is already booked in each period.
 */
import type { IntervalForecast } from '../forecast/forecast-types.js';
import { monthStart, periodEnd, periodLabel, periodMonths, periodStartMonth } from '../shared/periods.js';

/**
 * Correlation assumed between the errors of the months summed into a quarter. Forecast errors
 * of consecutive months share the level error, so they are positively correlated; 0.5 sits
 * between independence (too narrow) and perfect correlation (too wide).
 */
export const MONTH_ERROR_CORRELATION = 0.5;

export interface PeriodForecast {
  period: string;
  start: string;
  end: string;
  point: number;
  lower80: number;
  upper80: number;
  lower95: number;
  upper95: number;
  /** Closed-won revenue already booked in the period before asOf. */
  closedToDate: number;
  /** For pipeline-based methods: where the point comes from. */
  components?: { closedToDate: number; openPipeline: number; newBusiness: number };
}

export interface AggregationInput {
  asOfMonth: number;
  interval: 'month' | 'quarter';
  horizon: number;
  /** Remaining revenue per month, index 0 = the month containing asOf. */
  monthly: IntervalForecast;
  /** Closed-won revenue by month index, complete months and the part of asOf's month before asOf. */
  actuals: ReadonlyMap<number, number>;
  /** Monthly expected revenue from open deals (pipeline-based methods only). */
  openPipeline?: number[];
}

/** Months of forecast needed: from asOf's month to the end of the horizon-th period. */
export function monthsNeeded(asOfMonth: number, interval: 'month' | 'quarter', horizon: number): number {
  const first = periodStartMonth(asOfMonth, interval);
  return first + horizon * periodMonths(interval) - asOfMonth;
}

export function aggregatePeriods(input: AggregationInput): PeriodForecast[] {
  const size = periodMonths(input.interval);
  const first = periodStartMonth(input.asOfMonth, input.interval);
  const out: PeriodForecast[] = [];
  for (let k = 0; k < input.horizon; k++) {
    const start = first + k * size;
    const months = Array.from({ length: size }, (_, i) => start + i);
    const closedToDate = round2(months.filter((m) => m <= input.asOfMonth).reduce((s, m) => s + (input.actuals.get(m) ?? 0), 0));
    const steps = months.filter((m) => m >= input.asOfMonth).map((m) => m - input.asOfMonth);
    const f = input.monthly;
    const point = closedToDate + sum(steps.map((j) => f.point[j]));
    const band = (bound: number[]) => correlatedSum(steps.map((j) => Math.abs(bound[j] - f.point[j])));
    const period: PeriodForecast = {
      period: periodLabel(start, input.interval),
      start: monthStart(start),
      end: periodEnd(start, input.interval),
      point: round2(point),
      lower80: round2(Math.max(closedToDate, point - band(f.lower80))),
      upper80: round2(point + band(f.upper80)),
      lower95: round2(Math.max(closedToDate, point - band(f.lower95))),
      upper95: round2(point + band(f.upper95)),
      closedToDate,
    };
    if (input.openPipeline) {
      const openPipeline = round2(sum(steps.map((j) => input.openPipeline![j])));
      period.components = { closedToDate, openPipeline, newBusiness: round2(point - closedToDate - openPipeline) };
    }
    out.push(period);
  }
  return out;
}

/** Half-width of a sum of months' intervals with pairwise correlation MONTH_ERROR_CORRELATION. */
export function correlatedSum(halfWidths: readonly number[]): number {
  let variance = 0;
  for (let i = 0; i < halfWidths.length; i++) {
    variance += halfWidths[i] ** 2;
    for (let k = i + 1; k < halfWidths.length; k++) variance += 2 * MONTH_ERROR_CORRELATION * halfWidths[i] * halfWidths[k];
  }
  return Math.sqrt(variance);
}

function sum(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0);
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
