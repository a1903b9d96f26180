import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../../auth/current-principal.decorator.js';
import type { Principal } from '../../auth/principal.js';
import { RequireScopes } from '../../auth/require-scopes.decorator.js';
import { Scope } from '../../auth/scope.js';
import { ZodBody, ZodParams } from '../../common/validation/zod-validation.js';
import { type CreateRuleInput, createRuleSchema, ruleIdParams, type RuleView } from './rules.schemas.js';
import { RulesService } from './rules.service.js';

@ApiTags('notifications')
@Controller('api/v1/notifications/rules')
export class RulesController {
  constructor(private readonly rules: RulesService) {}

  @Get()
  @RequireScopes(Scope.NotificationsManage)
  @ApiOperation({ summary: "List the tenant's rules (CRM event → destination)" })
  async list(@CurrentPrincipal() principal: Principal): Promise<{ items: RuleView[] }> {
    return { items: await this.rules.list(principal) };
  }

  @Post()
  @RequireScopes(Scope.NotificationsManage)
  @ApiOperation({ summary: 'Send a notification to a destination when a deal is won or lost, or its close date slips' })
  create(@CurrentPrincipal() principal: Principal, @ZodBody(createRuleSchema) input: CreateRuleInput): Promise<RuleView> {
    return this.rules.create(principal, input);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes(Scope.NotificationsManage)
  @ApiOperation({ summary: 'Delete a rule' })
  async remove(@CurrentPrincipal() principal: Principal, @ZodParams(ruleIdParams) params: { id: string }): Promise<void> {
    await this.rules.remove(principal, params.id);
  }
}
