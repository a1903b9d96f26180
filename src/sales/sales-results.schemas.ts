import { z } from 'zod';

/**
 * The shapes of the sales answers: the MCP tools' output schemas (checked by the SDK and by the
 * seed RPC route) and the services' return types are held to the same definitions.
 */

const money = z.number().describe('Amount in the deals’ currency (no conversion), rounded to cents');
const rate = z.number().nullable();
const filters = z.object({ region: z.string().optional(), segment: z.string().optional(), owner: z.string().optional(), product: z.string().optional() });

const revenuePeriod = z.object({
  period: z.string(),
  start: z.string(),
  end: z.string(),
  revenue: money,
  deals: z.number().int(),
  complete: z.boolean(),
  previous: money,
  change: money,
  changePct: rate,
  yearAgo: money,
  yoyChange: money,
  yoyChangePct: rate,
});

export const revenueResultSchema = z.object({
  interval: z.enum(['month', 'quarter', 'year']),
  from: z.string(),
  to: z.string(),
  filters,
  groupBy: z.string().nullable(),
  basis: z.string(),
  total: money,
  deals: z.number().int(),
  series: z.array(z.object({ group: z.string().nullable(), total: money, deals: z.number().int(), periods: z.array(revenuePeriod) })),
  groupsShown: z.number().int().optional(),
  groupsTotal: z.number().int().optional(),
});

const winRate = z.object({
  group: z.string().nullable(),
  sampleSize: z.number().int(),
  won: z.number().int(),
  lost: z.number().int(),
  winRate: rate,
  wonAmount: money,
  valueWinRate: rate,
  medianDaysToClose: z.number().nullable(),
  medianDaysToWin: z.number().nullable(),
  open: z.number().int(),
});

export const winRatesResultSchema = z.object({
  groupBy: z.enum(['stage', 'region', 'owner', 'segment']),
  filters,
  definition: z.string(),
  overall: winRate,
  groups: z.array(winRate),
});

export const pipelineResultSchema = z.object({
  asOf: z.string(),
  filters,
  totals: z.object({ deals: z.number().int(), amount: money, weightedByStageProbability: money, weightedByLearnedProbability: money.nullable() }),
  byStage: z.array(
    z.object({
      stage: z.string(),
      deals: z.number().int(),
      amount: money,
      weightedByStageProbability: money,
      learnedWinProbability: rate,
      weightedByLearnedProbability: money.nullable(),
      dealsWithoutAmount: z.number().int(),
    }),
  ),
  byForecastCategory: z.array(z.object({ category: z.string(), deals: z.number().int(), amount: money, weightedByStageProbability: money })),
  coverage: z.object({
    period: z.string(),
    start: z.string(),
    end: z.string(),
    forecast: money,
    forecastMethod: z.string(),
    closedWonToDate: money,
    remainingToForecast: money,
    openPipelineClosingInPeriod: money,
    openDealsClosingInPeriod: z.number().int(),
    ratio: rate,
  }),
  slipping: z.object({
    deals: z.number().int(),
    amount: money,
    largest: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        owner: z.string().nullable(),
        stage: z.string(),
        amount: money.nullable(),
        originalCloseDate: z.string().nullable(),
        closeDate: z.string().nullable(),
        timesMoved: z.number().int(),
        daysSlipped: z.number().nullable(),
      }),
    ),
  }),
  overdue: z.object({ deals: z.number().int(), amount: money }),
  aging: z.array(z.object({ bucket: z.string(), maxDays: z.number().nullable(), deals: z.number().int(), amount: money })),
  definitions: z.record(z.string(), z.string()),
});

const band = { point: money, lower80: money, upper80: money, lower95: money, upper95: money };

export const forecastResultSchema = z.object({
  asOf: z.string(),
  interval: z.enum(['month', 'quarter']),
  horizon: z.number().int(),
  filters,
  method: z.enum(['timeseries', 'pipeline', 'hybrid']).describe('The method whose forecast this is'),
  model: z.string(),
  reason: z.string().describe('Why this method: its backtest error against the alternatives'),
  periods: z.array(
    z.object({
      period: z.string(),
      start: z.string(),
      end: z.string(),
      ...band,
      closedToDate: money,
      components: z.object({ closedToDate: money, openPipeline: money, newBusiness: money }).optional(),
    }),
  ),
  backtest: z.object({
    horizonMonths: z.number().int(),
    measure: z.string(),
    rows: z.array(
      z.object({
        method: z.string(),
        label: z.string(),
        mase: rate,
        smape: rate,
        coverage80: rate,
        coverage95: rate,
        origins: z.number().int(),
      }),
    ),
  }),
  intervalWidening: z.number(),
  basis: z.object({
    monthsOfHistory: z.number().int(),
    firstMonth: z.string().nullable(),
    lastCompleteMonth: z.string().nullable(),
    closedWonDeals: z.number().int(),
    closedWonRevenue: money,
    lastYearGrowth: rate,
    openDeals: z.number().int().nullable(),
    openPipelineAmount: money.nullable(),
    pipelineSnapshots: z.number().int(),
  }),
  drivers: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      account: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
      owner: z.string().nullable(),
      stage: z.string(),
      amount: money.nullable(),
      closeDate: z.string().nullable(),
      ageDays: z.number().int(),
      ageBucket: z.string(),
      probability: z.number(),
      expected: money,
    }),
  ),
  warnings: z.array(z.string()),
  history: z.array(z.object({ month: z.string(), revenue: money })),
});

export type RevenueResult = z.output<typeof revenueResultSchema>;
export type WinRatesResult = z.output<typeof winRatesResultSchema>;
export type PipelineResult = z.output<typeof pipelineResultSchema>;
export type ForecastResultView = z.output<typeof forecastResultSchema>;
