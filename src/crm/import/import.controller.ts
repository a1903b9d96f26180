import { Controller, HttpCode, Post, Req, UnsupportedMediaTypeException } from '@nestjs/common';
import { ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentPrincipal } from '../../auth/current-principal.decorator.js';
import type { Principal } from '../../auth/principal.js';
import { RequireScopes } from '../../auth/require-scopes.decorator.js';
import { Scope } from '../../auth/scope.js';
import { IdempotencyKey } from '../../common/idempotency/idempotency-key.decorator.js';
import { ZodQuery } from '../../common/validation/zod-validation.js';
import { ApiIdempotencyKey, ZodResponse } from '../shared/http.js';
import type { ImportSource } from './import-source.js';
import { importQuerySchema, importReportSchema, type ImportQuery } from './import.schemas.js';
import { ImportService } from './import.service.js';

const CSV_TYPES = new Set(['text/csv', 'application/csv']);
const NDJSON_TYPES = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines']);

/** The import route: the app's JSON body parser (1 MB) leaves it unread (app.factory.ts), so a JSON array streams too. */
export const IMPORT_PATH = '/api/v1/crm/import';

/** The body as an import source, read from the request stream: never buffered whole, whatever its size. */
export function importSourceOf(request: FastifyRequest): ImportSource {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const stream = request.raw;
  if (CSV_TYPES.has(type)) return { kind: 'csv', stream };
  if (NDJSON_TYPES.has(type)) return { kind: 'ndjson', stream };
  if (type === 'application/json') return { kind: 'json', stream };
  throw new UnsupportedMediaTypeException('Send text/csv, application/x-ndjson or application/json');
}

@ApiTags('crm')
@Controller(IMPORT_PATH.slice(1))
export class ImportController {
  constructor(private readonly imports: ImportService) {}

  @Post()
  @HttpCode(200)
  @RequireScopes(Scope.CrmWrite)
  @ApiIdempotencyKey()
  @ApiConsumes('text/csv', 'application/x-ndjson', 'application/json')
  @ZodResponse(200, importReportSchema, 'Everything was written; 422 with the same report (created 0) when any row was rejected')
  import(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(importQuerySchema) query: ImportQuery,
    @Req() request: FastifyRequest,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ) {
    return this.imports.import(principal, { source: importSourceOf(request), entity: query.entity, mapping: query.mapping }, { idempotencyKey });
  }
}
