import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RateLimiter } from './rate-limiter.service.js';

/**
 * Per-IP budget of requests answered 401 (T79: a flood of invalid tokens from one address). It
 * runs before authentication: an address past its budget gets 429 without its token being
 * verified, until the window slides. Only the 401s are counted, so good traffic never spends it.
 */
@Injectable()
export class AuthFailureLimitMiddleware implements NestMiddleware {
  constructor(private readonly limiter: RateLimiter) {}

  // Node's request and response (middleware runs under @fastify/middie); `ip` is Fastify's, proxy-aware.
  use(request: IncomingMessage & { ip?: string }, response: ServerResponse, next: (error?: unknown) => void): void {
    const rule = this.limiter.authFailureRule(request.ip);
    if (!rule) return next();
    response.once('finish', () => {
      if (response.statusCode === 401) this.limiter.record(rule);
    });
    let verdict: true | Promise<true>;
    try {
      verdict = this.limiter.check(rule);
    } catch (error) {
      return next(error);
    }
    if (verdict === true) return next();
    verdict.then(() => next(), next);
  }
}
