/** Which budget a request is counted against. */
export type RateLimitDimension = 'client' | 'tenant' | 'ip' | 'auth_failures';

export interface RateLimitRule {
  dimension: RateLimitDimension;
  /** Identifies the counter (e.g. `client:<tenant>:<clientId>`); never a secret. */
  key: string;
  /** Requests per window (> 0). */
  limit: number;
}

export type RateLimitDecision =
  | { allowed: true }
  | { allowed: false; rule: RateLimitRule; retryAfterMs: number };

type MaybePromise<T> = T | Promise<T>;

/**
 * Where counters live: in this process (MemoryRateLimitStore) or in Redis (RedisRateLimitStore,
 * shared by every instance). Each operation is atomic per call.
 */
export abstract class RateLimitStore {
  /**
   * Admits one request against every rule: counts it in all of them, or — when any rule is
   * exhausted — in none, so rejected requests do not eat the budget of the others.
   */
  abstract consume(rules: readonly RateLimitRule[], windowMs: number): MaybePromise<RateLimitDecision>;

  /** Whether one more request would pass `rule`, without counting it. */
  abstract peek(rule: RateLimitRule, windowMs: number): MaybePromise<RateLimitDecision>;

  /** Counts one event against `key` unconditionally (e.g. a failed authentication). */
  abstract add(key: string, windowMs: number): MaybePromise<void>;

  abstract close(): Promise<void>;
}
