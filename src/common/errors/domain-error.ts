/**
 * The error codes of the public contract (CONTRACT.md, "Errors"), each with its HTTP status.
 * Services throw DomainError subclasses with one of these codes; only the exception filter
 * turns them into HTTP responses.
 */
export const ERROR_STATUS = {
  validation_error: 400,
  invalid_request: 400,
  unauthorized: 401,
  invalid_token: 401,
  insufficient_scope: 403,
  unknown_tenant: 403,
  tenant_suspended: 403,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  idempotency_key_reused: 422,
  unprocessable: 422,
  rate_limited: 429,
  internal_error: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ValidationIssue {
  path: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra fields merged into the JSON body (never secrets). */
    readonly details: Record<string, unknown> = {},
    /** Extra response headers (e.g. `WWW-Authenticate`, `Retry-After`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): Record<string, unknown> {
    return { error: this.code, message: this.message, ...this.details };
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, issues: ValidationIssue[]) {
    super('validation_error', message, { issues });
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super('not_found', `${what} not found`);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('conflict', message, details);
  }
}

export class UnavailableError extends DomainError {
  constructor(message: string, retryAfterSeconds: number) {
    super('unavailable', message, {}, { 'Retry-After': String(retryAfterSeconds) });
  }
}
