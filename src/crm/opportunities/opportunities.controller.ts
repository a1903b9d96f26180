import { Controller, Get, HttpCode, Patch, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal } from '../../auth/current-principal.decorator.js';
import type { Principal } from '../../auth/principal.js';
import { RequireScopes } from '../../auth/require-scopes.decorator.js';
import { Scope } from '../../auth/scope.js';
import { IdempotencyKey } from '../../common/idempotency/idempotency-key.decorator.js';
import { ZodBody, ZodParams, ZodQuery } from '../../common/validation/zod-validation.js';
import {
  activityListQuerySchema,
  activityPageSchema,
  activitySchema,
  logActivitySchema,
  type ActivityListQuery,
  type LogActivityInput,
} from '../activities/activities.schemas.js';
import { ActivitiesService } from '../activities/activities.service.js';
import { idParamsSchema } from '../shared/crm.schemas.js';
import { ApiIdempotencyKey, ApiIfMatch, IfMatch, withEtag, ZodResponse } from '../shared/http.js';
import {
  createOpportunitySchema,
  opportunityListQuerySchema,
  opportunityPageSchema,
  opportunitySchema,
  updateOpportunitySchema,
  type CreateOpportunityInput,
  type OpportunityListQuery,
  type UpdateOpportunityInput,
} from './opportunities.schemas.js';
import { OpportunitiesService } from './opportunities.service.js';

@ApiTags('crm')
@Controller('api/v1/crm/opportunities')
export class OpportunitiesController {
  constructor(
    private readonly opportunities: OpportunitiesService,
    private readonly activities: ActivitiesService,
  ) {}

  @Get()
  @RequireScopes(Scope.CrmRead)
  @ZodResponse(200, opportunityPageSchema, 'One page of opportunities, newest first')
  search(@CurrentPrincipal() principal: Principal, @ZodQuery(opportunityListQuerySchema) query: OpportunityListQuery) {
    return this.opportunities.search(principal, query);
  }

  @Get(':id')
  @RequireScopes(Scope.CrmRead)
  @ZodResponse(200, opportunitySchema, 'The opportunity (ETag: its version)')
  async get(@CurrentPrincipal() principal: Principal, @ZodParams(idParamsSchema) params: { id: string }, @Res({ passthrough: true }) response: FastifyReply) {
    return withEtag(response, await this.opportunities.get(principal, params.id));
  }

  @Post()
  @HttpCode(201)
  @RequireScopes(Scope.CrmWrite)
  @ApiIdempotencyKey()
  @ZodResponse(201, opportunitySchema, 'The created opportunity')
  async create(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(createOpportunitySchema) body: CreateOpportunityInput,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return withEtag(response, await this.opportunities.create(principal, body, { idempotencyKey }));
  }

  @Patch(':id')
  @RequireScopes(Scope.CrmWrite)
  @ApiIfMatch()
  @ZodResponse(200, opportunitySchema, 'The updated opportunity; a stage change emits crm.opportunity.stage-changed')
  async update(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(idParamsSchema) params: { id: string },
    @ZodBody(updateOpportunitySchema) body: UpdateOpportunityInput,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return withEtag(response, await this.opportunities.update(principal, params.id, body, { ifMatch }));
  }

  @Get(':id/activities')
  @RequireScopes(Scope.CrmRead)
  @ZodResponse(200, activityPageSchema, 'The opportunity’s calls, e-mails, meetings and notes, newest first')
  listActivities(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(idParamsSchema) params: { id: string },
    @ZodQuery(activityListQuerySchema) query: ActivityListQuery,
  ) {
    return this.activities.listForOpportunity(principal, params.id, query);
  }

  @Post(':id/activities')
  @HttpCode(201)
  @RequireScopes(Scope.CrmWrite)
  @ApiIdempotencyKey()
  @ZodResponse(201, activitySchema, 'The logged activity')
  logActivity(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(idParamsSchema) params: { id: string },
    @ZodBody(logActivitySchema) body: LogActivityInput,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ) {
    return this.activities.logForOpportunity(principal, params.id, body, { idempotencyKey });
  }
}
