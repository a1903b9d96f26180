import { z } from 'zod';

const MAX_PAGE = 200;

/** `GET /api/v1/audit` query: a time window, an actor (subject or client id), a tool/route name, a cursor. */
export const auditListQuerySchema = z
  .object({
    from: z.iso.datetime({ offset: true }).optional().describe('Inclusive lower bound (ISO 8601 date-time)'),
    to: z.iso.datetime({ offset: true }).optional().describe('Exclusive upper bound (ISO 8601 date-time)'),
    actor: z.string().min(1).max(500).optional().describe('A subject (`sub`) or client id'),
    tool: z.string().min(1).max(300).optional().describe('A tool, resource or prompt name, or `METHOD /route` of a REST write'),
    cursor: z.string().max(300).regex(/^[A-Za-z0-9_-]+$/, { error: 'is not a valid cursor' }).optional().describe('Opaque cursor from the previous page'),
    limit: z
      .string()
      .regex(/^\d{1,3}$/, { error: `must be an integer from 1 to ${MAX_PAGE}` })
      .transform(Number)
      .pipe(z.number().int().min(1).max(MAX_PAGE))
      .default(50)
      .describe(`Page size, 1–${MAX_PAGE} (default 50)`),
  })
  .strict();
export type AuditListQuery = z.output<typeof auditListQuerySchema>;

export const auditRecordSchema = z.object({
  id: z.uuid(),
  occurredAt: z.string().describe('UTC, microseconds'),
  subject: z.string(),
  clientId: z.string(),
  tokenId: z.string().nullable().describe('`jti` of the access token used (an identifier, never the token)'),
  channel: z.enum(['mcp', 'rpc', 'rest']),
  kind: z.enum(['tool', 'resource', 'prompt', 'http']),
  name: z.string(),
  argsDigest: z.string().nullable().describe('SHA-256 (hex) of the canonical JSON of the arguments (sorted keys, no whitespace)'),
  outcome: z.enum(['ok', 'error', 'denied', 'rejected']),
  errorCode: z.string().nullable(),
  httpStatus: z.number().int().nullable(),
  latencyMs: z.number(),
  requestId: z.string().nullable(),
});
export type AuditRecord = z.output<typeof auditRecordSchema>;

export const auditPageSchema = z.object({ data: z.array(auditRecordSchema), nextCursor: z.string().nullable() });
export type AuditPage = z.output<typeof auditPageSchema>;
