import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { toJsonSchema } from '../../common/validation/zod-validation.js';
import { etagOf, parseIfMatch } from './if-match.js';

/** `@IfMatch()`: the version named by the If-Match header, or undefined. */
export const IfMatch = createParamDecorator((_data: unknown, context: ExecutionContext): number | undefined => {
  const value = context.switchToHttp().getRequest<FastifyRequest>().headers['if-match'];
  return parseIfMatch(value);
});

/** Sets `ETag: "<version>"` so a client can send it back in If-Match. */
export function withEtag<T extends { version: number }>(response: FastifyReply, record: T): T {
  response.header('ETag', etagOf(record.version));
  return record;
}

/** Documents a response body from its zod schema (the same schema the MCP tools declare). */
export function ZodResponse(status: number, schema: z.ZodType, description: string): MethodDecorator {
  return ApiResponse({ status, description, schema: toJsonSchema(schema, 'output') as never });
}

export function ApiIdempotencyKey(): MethodDecorator {
  return applyDecorators(
    ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Retry-safe key (1–255 visible ASCII); a retry returns the first response' }),
    ApiResponse({ status: 409, description: 'A request with the same key is still in flight' }),
    ApiResponse({ status: 422, description: 'The key was used with a different request' }),
  );
}

export function ApiIfMatch(): MethodDecorator {
  return applyDecorators(
    ApiHeader({ name: 'If-Match', required: false, description: 'The ETag "<version>" you read (or send `version` in the body)' }),
    ApiResponse({ status: 409, description: 'Stale version: nothing was written' }),
  );
}
