import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { IdempotencyError } from './idempotency.errors.js';

const KEY_PATTERN = /^[\x21-\x7E]{1,255}$/;

/** Parses the Idempotency-Key header: one header, 1–255 visible ASCII characters (quotes of an sf-string removed). */
export function parseIdempotencyKey(request: IncomingMessage): string | undefined {
  const values = request.headersDistinct['idempotency-key'];
  if (values === undefined) return undefined;
  if (values.length !== 1) throw IdempotencyError.invalidKey('must be sent once');
  const raw = values[0]!.trim();
  const key = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  if (!KEY_PATTERN.test(key)) throw IdempotencyError.invalidKey('must be 1–255 visible ASCII characters');
  return key;
}

/** `@IdempotencyKey()`: the validated Idempotency-Key header, or undefined when the client sent none. */
export const IdempotencyKey = createParamDecorator((_data: unknown, context: ExecutionContext): string | undefined =>
  parseIdempotencyKey(context.switchToHttp().getRequest<FastifyRequest>().raw),
);
