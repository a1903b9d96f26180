import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { RequireScopes } from '../auth/require-scopes.decorator.js';
import { Scope } from '../auth/scope.js';
import { ZodParams } from '../common/validation/zod-validation.js';
import { InsightsService } from './insights.service.js';
import { insightsParamsSchema } from './insights.schemas.js';

/** REST adapter of the account insights (the customer-insights resource). */
@ApiTags('insights')
@Controller('api/v1/insights')
export class InsightsController {
  constructor(private readonly insights: InsightsService) {}

  @Get('accounts/:id')
  @RequireScopes(Scope.CustomerInsightsRead)
  @ApiOperation({ summary: 'An account’s revenue trend, open pipeline, last activity and risk flags with evidence' })
  account(@CurrentPrincipal() principal: Principal, @ZodParams(insightsParamsSchema) params: { id: string }) {
    return this.insights.accountInsights(principal, params.id);
  }
}
