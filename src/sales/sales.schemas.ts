import { z } from 'zod';

/**
 * The inputs of the sales capabilities. One schema per capability serves REST (query strings,
 * hence the coercions), the MCP tools (JSON arguments) and the seed RPC route alike.
 */

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written YYYY-MM-DD (2020-13-01 and 2021-02-29 are not). */
export function isCalendarDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

export const isoDate = z
  .string()
  .regex(ISO_DATE, 'must be a date written YYYY-MM-DD')
  .refine(isCalendarDate, 'is not a calendar date')
  .refine((value) => value >= '1970-01-01', 'must be 1970-01-01 or later');

export const SEGMENTS = ['enterprise', 'mid-market', 'smb'] as const;
const label = z.string().trim().min(1).max(200);

/** Region and segment live on the account; deals without an account match no region/segment filter. */
export const salesFilterShape = {
  region: label.max(100).optional().describe('Only deals of accounts in this region (exact match)'),
  segment: z.enum(SEGMENTS).optional().describe('Only deals of accounts in this segment'),
};

export const REVENUE_INTERVALS = ['month', 'quarter', 'year'] as const;
export const REVENUE_GROUPS = ['region', 'segment', 'owner', 'product'] as const;

export const revenueQuerySchema = z
  .strictObject({
    from: isoDate.optional().describe('First day (default: the start of the period 11 months/7 quarters/4 years before `to`)'),
    to: isoDate.optional().describe('Last day (default: today, UTC)'),
    interval: z.enum(REVENUE_INTERVALS).default('month'),
    ...salesFilterShape,
    owner: label.optional().describe('Only deals owned by this owner'),
    product: label.optional().describe('Only deals of this product'),
    groupBy: z.enum(REVENUE_GROUPS).optional().describe('One series per value of this dimension'),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'must not be after `to`', path: ['from'] });
export type RevenueQuery = z.output<typeof revenueQuerySchema>;

export const pipelineQuerySchema = z.strictObject({ ...salesFilterShape });
export type PipelineQuery = z.output<typeof pipelineQuerySchema>;

export const WIN_RATE_GROUPS = ['stage', 'region', 'owner', 'segment'] as const;
export const winRatesQuerySchema = z.strictObject({
  groupBy: z.enum(WIN_RATE_GROUPS).default('stage'),
  ...salesFilterShape,
});
export type WinRatesQuery = z.output<typeof winRatesQuerySchema>;

export const FORECAST_INTERVALS = ['month', 'quarter'] as const;
export const FORECAST_METHODS = ['auto', 'pipeline', 'timeseries'] as const;

export const forecastQuerySchema = z.strictObject({
  ...salesFilterShape,
  interval: z.enum(FORECAST_INTERVALS).default('month'),
  horizon: z.coerce
    .number()
    .int('must be a whole number')
    .min(1, 'must be between 1 and 12')
    .max(12, 'must be between 1 and 12')
    .default(3)
    .describe('Periods to forecast, starting with the one that contains asOf'),
  method: z
    .enum(FORECAST_METHODS)
    .default('auto')
    .describe('auto = whichever of pipeline, timeseries or their blend had the lowest error in a rolling-origin backtest'),
  asOf: isoDate
    .refine((value) => value <= todayUtc(), 'must not be in the future')
    .optional()
    .describe('Forecast as if on this date, from only the data known then (default: today, UTC)'),
});
export type ForecastQuery = z.output<typeof forecastQuerySchema>;

const DAY_MS = 86_400_000;
// The last day asked for, with its bounds: every cached analytics read keys on today, and
// formatting a date costs more than the rest of a cache hit's key.
let lastDay = { start: 0, end: 0, text: '' };

/** Today's date (UTC) as YYYY-MM-DD. */
export function todayUtc(now: Date = new Date()): string {
  const time = now.getTime();
  if (time >= lastDay.start && time < lastDay.end) return lastDay.text;
  const start = Math.floor(time / DAY_MS) * DAY_MS;
  lastDay = { start, end: start + DAY_MS, text: now.toISOString().slice(0, 10) };
  return lastDay.text;
}
