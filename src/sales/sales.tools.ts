import { Injectable } from '@nestjs/common';
import type { GetPromptResult } from '@modelcontextprotocol/server';
import type { Principal } from '../auth/principal.js';
import { Scope } from '../auth/scope.js';
import { McpCapabilities, McpPrompt, McpTool } from '../mcp/mcp.decorators.js';
import { chartFromForecast } from './forecasting/forecast-chart.js';
import { ForecastService } from './forecasting/forecast.service.js';
import { PipelineService } from './pipeline/pipeline.service.js';
import { RevenueService } from './revenue/revenue.service.js';
import { forecastResultSchema, pipelineResultSchema, revenueResultSchema, winRatesResultSchema } from './sales-results.schemas.js';
import {
  forecastQuerySchema,
  pipelineQuerySchema,
  revenueQuerySchema,
  winRatesQuerySchema,
  type ForecastQuery,
  type PipelineQuery,
  type RevenueQuery,
  type WinRatesQuery,
} from './sales.schemas.js';
import { WinRatesService } from './win-rates/win-rates.service.js';

function svgImage(svg: string) {
  return { type: 'image' as const, data: Buffer.from(svg).toString('base64'), mimeType: 'image/svg+xml' };
}

const READ = { readOnlyHint: true, idempotentHint: true, openWorldHint: false } as const;

/** The sales capabilities for agents: each tool is one call to the service its REST twin uses. */
@McpCapabilities()
@Injectable()
export class SalesTools {
  constructor(
    private readonly forecasts: ForecastService,
    private readonly revenue: RevenueService,
    private readonly pipelines: PipelineService,
    private readonly winRates: WinRatesService,
  ) {}

  @McpTool({
    name: 'sales_get_forecast',
    title: 'Forecast revenue',
    description:
      'Closed-won revenue forecast for the next `horizon` months or quarters (from the period containing asOf), optionally for one ' +
      'region/segment. Each period has a point forecast with 80% and 95% intervals. `method: auto` picks whichever of the ' +
      'pipeline method (open deals × win probabilities learned from the stage history), the time series (ETS/Theta/seasonal ' +
      'naive and their median) or their hybrid had the lowest error in a rolling-origin backtest on this tenant’s own history; ' +
      '`reason` says why, `backtest.rows` gives MASE (below 1 beats seasonal naive), sMAPE and interval coverage, `basis` the ' +
      'data it rests on and `warnings` what to be careful about. `asOf` (YYYY-MM-DD) forecasts from only what was known that day.',
    scope: Scope.SalesDataRead,
    input: forecastQuerySchema,
    output: forecastResultSchema,
    // The same chart GET /api/v1/sales/forecast.svg serves, for a person reading along with the agent.
    extraContent: (forecast) => [svgImage(chartFromForecast(forecast))],
    annotations: READ,
  })
  getForecast(principal: Principal, input: ForecastQuery) {
    return this.forecasts.forecast(principal, input);
  }

  @McpTool({
    name: 'sales_get_revenue',
    title: 'Closed-won revenue',
    description:
      'Closed-won revenue per month, quarter or year between from and to (whole periods; empty periods are 0), with the change ' +
      'from the previous period and from the same period a year earlier; optionally filtered by region, segment, owner or product ' +
      'and split into one series per region, segment, owner or product (groupBy).',
    scope: Scope.SalesDataRead,
    input: revenueQuerySchema,
    output: revenueResultSchema,
    annotations: READ,
  })
  getRevenue(principal: Principal, input: RevenueQuery) {
    return this.revenue.revenue(principal, input);
  }

  @McpTool({
    name: 'sales_get_pipeline',
    title: 'Open pipeline',
    description:
      'Today’s open pipeline by stage and forecast category: amounts, weighted by the stored stage probability and by the win ' +
      'probability learned from the stage history; coverage of this quarter’s forecast; deals whose close date slipped; overdue deals; aging.',
    scope: Scope.SalesDataRead,
    input: pipelineQuerySchema,
    output: pipelineResultSchema,
    annotations: READ,
  })
  getPipeline(principal: Principal, input: PipelineQuery) {
    return this.pipelines.pipeline(principal, input);
  }

  @McpTool({
    name: 'sales_get_win_rates',
    title: 'Win rates',
    description:
      'Win rates learned from the deals’ history, grouped by stage (of the deals that reached the stage, the share won), region, ' +
      'segment or owner, with the median days to close and the sample size each rate rests on.',
    scope: Scope.SalesDataRead,
    input: winRatesQuerySchema,
    output: winRatesResultSchema,
    annotations: READ,
  })
  getWinRates(principal: Principal, input: WinRatesQuery) {
    return this.winRates.winRates(principal, input);
  }

  @McpPrompt({
    name: 'forecast_review',
    title: 'Review the revenue forecast',
    description: 'The current forecast (data and chart) with a checklist for reviewing it with a sales leader.',
    scope: Scope.SalesDataRead,
    args: forecastQuerySchema,
  })
  async forecastReview(principal: Principal, args: ForecastQuery): Promise<GetPromptResult> {
    const forecast = await this.forecasts.forecast(principal, args);
    return {
      description: `Revenue forecast review (${forecast.method}, as of ${forecast.asOf})`,
      messages: [
        { role: 'user', content: { type: 'text', text: `Here is the revenue forecast as JSON:\n${JSON.stringify(forecast)}` } },
        { role: 'user', content: svgImage(chartFromForecast(forecast)) },
        { role: 'user', content: { type: 'text', text: REVIEW_CHECKLIST } },
      ],
    };
  }
}

const REVIEW_CHECKLIST = [
  'Review this forecast for a sales leader in under 200 words:',
  '1. The number per period and its 80% range; say plainly how likely the point is to be met.',
  '2. Trust: the chosen method and why (reason), its backtest MASE against seasonal naive (below 1 is better) and whether the 80%/95% intervals covered about 80%/95% of past months.',
  '3. What it rests on (basis: months of history, deals, open pipeline) and every warning.',
  '4. For pipeline or hybrid forecasts: the deals that drive it, and which of them to inspect.',
  'Do not invent numbers that are not in the data.',
].join('\n');
