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
  contactListQuerySchema,
  contactPageSchema,
  contactSchema,
  createContactSchema,
  updateContactSchema,
  type ContactListQuery,
  type CreateContactInput,
  type UpdateContactInput,
} from './contacts.schemas.js';
import { ContactsService } from './contacts.service.js';

@ApiTags('crm')
@Controller('api/v1/crm/contacts')
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @Get()
  @RequireScopes(Scope.CrmRead)
  @ZodResponse(200, contactPageSchema, 'One page of contacts, newest first')
  search(@CurrentPrincipal() principal: Principal, @ZodQuery(contactListQuerySchema) query: ContactListQuery) {
    return this.contacts.search(principal, query);
  }

  @Get(':id')
  @RequireScopes(Scope.CrmRead)
  @ZodResponse(200, contactSchema, 'The contact (ETag: its version)')
  async get(@CurrentPrincipal() principal: Principal, @ZodParams(idParamsSchema) params: { id: string }, @Res({ passthrough: true }) response: FastifyReply) {
    return withEtag(response, await this.contacts.get(principal, params.id));
  }

  @Post()
  @HttpCode(201)
  @RequireScopes(Scope.CrmWrite)
  @ApiIdempotencyKey()
  @ZodResponse(201, contactSchema, 'The created contact')
  async create(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(createContactSchema) body: CreateContactInput,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return withEtag(response, await this.contacts.create(principal, body, { idempotencyKey }));
  }

  @Patch(':id')
  @RequireScopes(Scope.CrmWrite)
  @ApiIfMatch()
  @ZodResponse(200, contactSchema, 'The updated contact')
  async update(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(idParamsSchema) params: { id: string },
    @ZodBody(updateContactSchema) body: UpdateContactInput,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return withEtag(response, await this.contacts.update(principal, params.id, body, { ifMatch }));
  }
}
