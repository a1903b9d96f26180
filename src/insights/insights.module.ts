import { Module } from '@nestjs/common';
import { InsightsController } from './insights.controller.js';
import { InsightsRepository } from './insights.repository.js';
import { InsightsService } from './insights.service.js';
import { InsightsTools } from './insights.tools.js';

/** Per-account insight documents (scope mcp:resources:customer-insights:read). */
@Module({
  controllers: [InsightsController],
  providers: [InsightsRepository, InsightsService, InsightsTools],
  exports: [InsightsService],
})
export class InsightsModule {}
