import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { RequireScopes } from '../auth/require-scopes.decorator.js';
import { Scope } from '../auth/scope.js';
import { ZodQuery } from '../common/validation/zod-validation.js';
import { ForecastService } from './forecasting/forecast.service.js';
import { PipelineService } from './pipeline/pipeline.service.js';
import { RevenueService } from './revenue/revenue.service.js';
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

/** REST adapter of the sales capabilities: each handler is one service call. */
@ApiTags('sales')
@Controller('api/v1/sales')
@RequireScopes(Scope.SalesDataRead)
export class SalesController {
  constructor(
    private readonly revenueService: RevenueService,
    private readonly pipelineService: PipelineService,
    private readonly winRatesService: WinRatesService,
    private readonly forecastService: ForecastService,
  ) {}

  @Get('revenue')
  @ApiOperation({ summary: 'Closed-won revenue per period, with period-over-period and year-over-year change' })
  revenue(@CurrentPrincipal() principal: Principal, @ZodQuery(revenueQuerySchema) query: RevenueQuery) {
    return this.revenueService.revenue(principal, query);
  }

  @Get('pipeline')
  @ApiOperation({ summary: 'Open pipeline by stage and forecast category: weighted, coverage, slipping, aging' })
  pipeline(@CurrentPrincipal() principal: Principal, @ZodQuery(pipelineQuerySchema) query: PipelineQuery) {
    return this.pipelineService.pipeline(principal, query);
  }

  @Get('win-rates')
  @ApiOperation({ summary: 'Win rates learned from the stage history, with median days to close and sample sizes' })
  winRates(@CurrentPrincipal() principal: Principal, @ZodQuery(winRatesQuerySchema) query: WinRatesQuery) {
    return this.winRatesService.winRates(principal, query);
  }

  @Get('forecast')
  @ApiOperation({ summary: 'Revenue forecast with 80%/95% intervals, the method and why, backtest accuracy and basis' })
  forecast(@CurrentPrincipal() principal: Principal, @ZodQuery(forecastQuerySchema) query: ForecastQuery) {
    return this.forecastService.forecast(principal, query);
  }

  @Get('forecast.svg')
  @ApiOperation({ summary: 'The same forecast as an SVG chart (history, forecast, 80%/95% bands)' })
  @ApiProduces('image/svg+xml')
  @Header('Content-Type', 'image/svg+xml; charset=utf-8')
  @Header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
  @Header('Cache-Control', 'private, no-store')
  forecastSvg(@CurrentPrincipal() principal: Principal, @ZodQuery(forecastQuerySchema) query: ForecastQuery): Promise<string> {
    return this.forecastService.forecastSvg(principal, query);
  }
}
