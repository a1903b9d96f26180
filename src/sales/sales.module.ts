import { Module } from '@nestjs/common';
import { ForecastRepository } from './forecasting/forecast.repository.js';
import { ForecastService } from './forecasting/forecast.service.js';
import { PipelineRepository } from './pipeline/pipeline.repository.js';
import { PipelineService } from './pipeline/pipeline.service.js';
import { RevenueRepository } from './revenue/revenue.repository.js';
import { RevenueService } from './revenue/revenue.service.js';
import { SalesController } from './sales.controller.js';
import { SalesTools } from './sales.tools.js';
import { WinRatesRepository } from './win-rates/win-rates.repository.js';
import { WinRatesService } from './win-rates/win-rates.service.js';

/** Revenue analytics, pipeline, win rates and forecasting (scope mcp:tools:sales-data:read). */
@Module({
  controllers: [SalesController],
  providers: [RevenueRepository, RevenueService, PipelineRepository, PipelineService, WinRatesRepository, WinRatesService, ForecastRepository, ForecastService, SalesTools],
  exports: [RevenueService, PipelineService, WinRatesService, ForecastService],
})
export class SalesModule {}
