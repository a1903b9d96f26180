import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Principal } from '../../auth/principal.js';
import type { AppConfig, RateLimitConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { MetricsService } from '../../observability/metrics.service.js';
import { MemoryRateLimitStore } from './memory-rate-limit.store.js';
import { RateLimitedError } from './rate-limit.errors.js';
import type { RateLimitDecision, RateLimitRule, RateLimitStore } from './rate-limit.store.js';
import { RedisRateLimitStore } from './redis-rate-limit.store.js';

const STORE_ERROR_LOG_INTERVAL_MS = 30_000;

/**
 * Decides whether a request may proceed under the per-client, per-tenant and per-IP budgets
 * (sliding minute), in memory or — with REDIS_URL — in Redis shared by all instances. Other
 * modules may call `enforce` with rules of their own (e.g. a stricter per-tool budget).
 * If the store cannot be reached the request is let through (fail open: a limiter outage must not
 * become an API outage), counted in `rate_limit_store_errors_total` and logged.
 */
@Injectable()
export class RateLimiter implements OnModuleInit, OnApplicationShutdown {
  readonly settings: RateLimitConfig;
  private readonly store: RateLimitStore;
  private readonly logger = new Logger('RateLimit');
  private lastErrorLoggedAt = 0;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    this.settings = config.rateLimit;
    this.store = config.redisUrl
      ? new RedisRateLimitStore(config.redisUrl, (error) => this.logStoreError(error))
      : new MemoryRateLimitStore(this.settings.windowMs);
  }

  async onModuleInit(): Promise<void> {
    if (this.store instanceof RedisRateLimitStore && !(await this.store.connect())) {
      this.logger.warn('Redis is not reachable yet: rate limits are not enforced until it is');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }

  /** The budgets an authenticated caller spends: its own client's (within its tenant), and its tenant's. */
  principalRules(principal: Principal): RateLimitRule[] {
    const rules: RateLimitRule[] = [];
    const { perClient, perTenant } = this.settings;
    if (perClient > 0) rules.push({ dimension: 'client', key: `client:${principal.tenantId}:${principal.clientId}`, limit: perClient });
    if (perTenant > 0) rules.push({ dimension: 'tenant', key: `tenant:${principal.tenantId}`, limit: perTenant });
    return rules;
  }

  /** The budget of an anonymous caller on a public route. */
  ipRules(ip: string | undefined): RateLimitRule[] {
    return this.settings.perIp > 0 ? [{ dimension: 'ip', key: `ip:${ip ?? 'unknown'}`, limit: this.settings.perIp }] : [];
  }

  authFailureRule(ip: string | undefined): RateLimitRule | undefined {
    const limit = this.settings.authFailuresPerIp;
    return this.settings.enabled && limit > 0 ? { dimension: 'auth_failures', key: `authfail:${ip ?? 'unknown'}`, limit } : undefined;
  }

  /** Counts the request against every rule, or throws RateLimitedError (429) if one is exhausted. */
  enforce(rules: readonly RateLimitRule[]): true | Promise<true> {
    if (!this.settings.enabled || rules.length === 0) return true;
    return this.settle(() => this.store.consume(rules, this.settings.windowMs));
  }

  /** Throws RateLimitedError if `rule` is exhausted, without counting. */
  check(rule: RateLimitRule): true | Promise<true> {
    return this.settle(() => this.store.peek(rule, this.settings.windowMs));
  }

  /** Counts one event against `rule` (never throws). */
  record(rule: RateLimitRule): void {
    try {
      const pending = this.store.add(rule.key, this.settings.windowMs);
      if (pending) pending.catch((error: unknown) => this.storeFailed(error));
    } catch (error) {
      this.storeFailed(error);
    }
  }

  private settle(decide: () => RateLimitDecision | Promise<RateLimitDecision>): true | Promise<true> {
    let decision: RateLimitDecision | Promise<RateLimitDecision>;
    try {
      decision = decide();
    } catch (error) {
      this.storeFailed(error);
      return true;
    }
    if (decision instanceof Promise) {
      return decision.then(
        (settled) => this.apply(settled),
        (error: unknown) => {
          this.storeFailed(error);
          return true as const;
        },
      );
    }
    return this.apply(decision);
  }

  private apply(decision: RateLimitDecision): true {
    if (decision.allowed) return true;
    this.metrics.recordRateLimited(decision.rule.dimension);
    throw new RateLimitedError(decision.rule.dimension, Math.max(1, Math.ceil(decision.retryAfterMs / 1000)));
  }

  /** A decision that could not be made: counted, and the request let through. */
  private storeFailed(error: unknown): void {
    this.metrics.recordRateLimitStoreError();
    this.logStoreError(error);
  }

  /** Logged at most every 30 s (a Redis outage would otherwise log on every request or reconnect). */
  private logStoreError(error: unknown): void {
    const now = Date.now();
    if (now - this.lastErrorLoggedAt < STORE_ERROR_LOG_INTERVAL_MS) return;
    this.lastErrorLoggedAt = now;
    this.logger.warn(`rate-limit store unavailable, requests pass unlimited: ${error instanceof Error ? error.message : String(error)}`);
  }
}
