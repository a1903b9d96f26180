import { Controller, Get, HttpCode, Patch, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal } from '../../auth/current-principal.decorator.js';
import type { Principal } from '../../auth/principal.js';
import { RequireScopes } from '../../auth/require-scopes.decorator.js';
import { Scope } from '../../auth/scope.js';
import { IdempotencyKey } from '../../common/idempotency/idempotency-key.decorator.js';
import { ZodBody, ZodParams, ZodQuery } from '../../common/validation/zod-validation.js';
import { idParamsSchema } from '../shared/crm.schemas.js';
import { ApiIdempotencyKey, ApiIfMatch, IfMatch, withEtag, ZodResponse } from '../shared/http.js';
import {
  accountListQuerySchema,
  accountPageSchema,
  accountSchema,
  createAccountSchema,
  updateAccountSchema,
  type AccountListQuery,
  type CreateAccountInput,
  type UpdateAccountInput,
} from './accounts.schemas.js';
import { AccountsService } from './accounts.service.js';

@ApiTags('crm')
@Controller('api/v1/crm/accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  @RequireScopes(Scope.CrmRead)
  @ZodResponse(200, accountPageSchema, 'One page of accounts, newest first')
  search(@CurrentPrincipal() principal: Principal, @ZodQuery(accountListQuerySchema) query: AccountListQuery) {
    return this.accounts.search(principal, query);
  }

  @Get(':id')
  @RequireScopes(Scope.CrmRead)
  @ZodResponse(200, accountSchema, 'The account (ETag: its version)')
  async get(@CurrentPrincipal() principal: Principal, @ZodParams(idParamsSchema) params: { id: string }, @Res({ passthrough: true }) response: FastifyReply) {
    return withEtag(response, await this.accounts.get(principal, params.id));
  }

  @Post()
  @HttpCode(201)
  @RequireScopes(Scope.CrmWrite)
  @ApiIdempotencyKey()
  @ZodResponse(201, accountSchema, 'The created account')
  async create(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(createAccountSchema) body: CreateAccountInput,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return withEtag(response, await this.accounts.create(principal, body, { idempotencyKey }));
  }

  @Patch(':id')
  @RequireScopes(Scope.CrmWrite)
  @ApiIfMatch()
  @ZodResponse(200, accountSchema, 'The updated account')
  async update(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(idParamsSchema) params: { id: string },
    @ZodBody(updateAccountSchema) body: UpdateAccountInput,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return withEtag(response, await this.accounts.update(principal, params.id, body, { ifMatch }));
  }
}
