import { DomainError } from '../common/errors/domain-error.js';
import { formatBearerChallenge } from './www-authenticate.js';

/**
 * Authentication/authorization failures, each carrying its RFC 6750 challenge. The bodies follow
 * CONTRACT.md; descriptions are coarse on purpose (no oracle on which check failed).
 */
export class AuthError extends DomainError {
  override toBody(): Record<string, unknown> {
    return { error: this.code, error_description: this.message, ...this.details };
  }

  static missingToken(resourceMetadata: string, scope?: string): AuthError {
    const challenge = formatBearerChallenge({ resourceMetadata, scope });
    return new AuthError('unauthorized', 'Bearer token required', {}, { 'WWW-Authenticate': challenge });
  }

  static invalidRequest(resourceMetadata: string, description: string): AuthError {
    const challenge = formatBearerChallenge({ error: 'invalid_request', errorDescription: description, resourceMetadata });
    return new AuthError('invalid_request', description, {}, { 'WWW-Authenticate': challenge });
  }

  static invalidToken(resourceMetadata: string, description = 'Invalid or expired token'): AuthError {
    const challenge = formatBearerChallenge({ error: 'invalid_token', errorDescription: description, resourceMetadata });
    return new AuthError('invalid_token', description, {}, { 'WWW-Authenticate': challenge });
  }

  /**
   * 403 with `scope=` naming what the request needs *plus* what the token already holds, so that
   * clients which replace their scope set on step-up (the MCP SDK does) do not lose what they had.
   */
  static insufficientScope(resourceMetadata: string, required: string[], held: string[] = []): AuthError {
    const scope = [...new Set([...held, ...required])].join(' ');
    const description = `The token lacks the scope ${required.join(' ')}`;
    const challenge = formatBearerChallenge({ error: 'insufficient_scope', errorDescription: description, scope, resourceMetadata });
    return new AuthError('insufficient_scope', description, { required_scope: required.join(' ') }, { 'WWW-Authenticate': challenge });
  }

  static unknownTenant(): AuthError {
    return new AuthError('unknown_tenant', 'The tenant named by the token is not known here');
  }

  static tenantSuspended(): AuthError {
    return new AuthError('tenant_suspended', 'The tenant named by the token is suspended');
  }
}

/** Signing keys cannot be had right now (issuer's JWKS unreachable beyond the stale window): 503, not 401. */
export class KeysUnavailableError extends DomainError {
  constructor(retryAfterSeconds: number) {
    super('unavailable', 'Signing keys are temporarily unavailable; retry later', {}, { 'Retry-After': String(retryAfterSeconds) });
  }
}

/** A finer reason than the (deliberately coarse) error code, for the metric only: never in the body. */
const finerReasons = new WeakMap<AuthError, string>();

export function withFailureReason(error: AuthError, reason: 'expired' | 'revoked'): AuthError {
  finerReasons.set(error, reason);
  return error;
}

/**
 * The `reason` label of `auth_failures_total` for an error a guard threw; undefined when it is
 * not an authentication/authorization failure (a database error while checking the tenant).
 */
export function authFailureReason(error: unknown): string | undefined {
  if (error instanceof KeysUnavailableError) return 'keys_unavailable';
  if (!(error instanceof AuthError)) return undefined;
  const finer = finerReasons.get(error);
  if (finer) return finer;
  if (error.code === 'unauthorized') return 'missing_token';
  if (error.code === 'forbidden') return 'no_access_policy';
  return error.code;
}
