import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { pathOf } from '../http/fastify-request.js';
import { principalOf } from '../../auth/current-principal.decorator.js';
import { RateLimiter } from './rate-limiter.service.js';

// Orchestrators poll health checks; throttling them would turn load into restarts.
const EXEMPT_PREFIX = '/health/';

/**
 * Global guard registered after the auth guards (RateLimitModule is imported after AuthModule,
 * and global guards run in registration order), so it sees the principal: an authenticated
 * request spends its client's and its tenant's budgets, an anonymous one on a public route its
 * IP's. Requests refused by authentication never reach it (they count as auth failures instead).
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(private readonly limiter: RateLimiter) {}

  canActivate(context: ExecutionContext): true | Promise<true> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (pathOf(request).startsWith(EXEMPT_PREFIX)) return true;
    const principal = principalOf(request);
    return this.limiter.enforce(principal ? this.limiter.principalRules(principal) : this.limiter.ipRules(request.ip));
  }
}
