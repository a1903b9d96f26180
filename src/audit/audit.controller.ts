import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { RequireScopes } from '../auth/require-scopes.decorator.js';
import { Scope } from '../auth/scope.js';
import { toJsonSchema, ZodQuery } from '../common/validation/zod-validation.js';
import { AuditRepository } from './audit.repository.js';
import { auditListQuerySchema, auditPageSchema, type AuditListQuery, type AuditPage } from './audit.schemas.js';

@ApiTags('audit')
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly repository: AuditRepository) {}

  @Get()
  @RequireScopes(Scope.AuditRead)
  @ApiOperation({ summary: "The tenant's audit trail: every MCP tool call, resource read, prompt, RPC call and REST write, newest first" })
  @ApiOkResponse({ schema: toJsonSchema(auditPageSchema, 'output') as never })
  list(@CurrentPrincipal() principal: Principal, @ZodQuery(auditListQuerySchema) query: AuditListQuery): Promise<AuditPage> {
    return this.repository.list(principal.tenantId, query);
  }
}
