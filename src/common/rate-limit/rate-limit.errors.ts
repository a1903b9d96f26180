import { DomainError } from '../errors/domain-error.js';
import type { RateLimitDimension } from './rate-limit.store.js';

/** 429 + `Retry-After` (CONTRACT.md): the body names which limit was hit, never whose. */
export class RateLimitedError extends DomainError {
  constructor(dimension: RateLimitDimension, retryAfterSeconds: number) {
    super(
      'rate_limited',
      'Too many requests; retry later',
      { limit: dimension, retryAfterSeconds },
      { 'Retry-After': String(retryAfterSeconds) },
    );
  }
}
