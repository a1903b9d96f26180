/** Which door the call came through. */
export type AuditChannel = 'mcp' | 'rpc' | 'rest';
/** What was called: an MCP tool, resource or prompt (also via its RPC twin), or a REST route. */
export type AuditKind = 'tool' | 'resource' | 'prompt' | 'http';
/**
 * ok: done; error: the operation failed (domain error, 5xx); denied: refused for lack of scope
 * (nothing ran); rejected: refused before the handler (invalid arguments, unknown item, 4xx).
 */
export type AuditOutcome = 'ok' | 'error' | 'denied' | 'rejected';

/** One audit row, as recorded. Never carries a token, a secret or the arguments themselves. */
export interface AuditEvent {
  tenantId: string;
  occurredAt: Date;
  subject: string;
  clientId: string;
  /** `jti` of the access token: an identifier for correlation, not a credential. */
  tokenId?: string;
  channel: AuditChannel;
  kind: AuditKind;
  /** Tool/prompt/resource name, or `METHOD /route/pattern` for REST. */
  name: string;
  /** SHA-256 (hex) of the canonical JSON of the arguments (see args-digest.ts). */
  argsDigest?: string;
  outcome: AuditOutcome;
  errorCode?: string;
  httpStatus?: number;
  latencyMs: number;
  requestId?: string;
}
