import { DomainError } from '../errors/domain-error.js';

export class IdempotencyError extends DomainError {
  static reused(): IdempotencyError {
    return new IdempotencyError(
      'idempotency_key_reused',
      'This Idempotency-Key was already used with a different request; use a new key for a new request',
    );
  }

  static inFlight(): IdempotencyError {
    return new IdempotencyError('conflict', 'A request with this Idempotency-Key is still being processed; retry later', {}, { 'Retry-After': '1' });
  }

  static claimLost(): IdempotencyError {
    return new IdempotencyError('conflict', 'The Idempotency-Key was taken over by another request; nothing was written');
  }

  static invalidKey(message: string): IdempotencyError {
    return new IdempotencyError('validation_error', `Invalid Idempotency-Key header: ${message}`, {
      issues: [{ path: 'headers.idempotency-key', message }],
    });
  }
}
