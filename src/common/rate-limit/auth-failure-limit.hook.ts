import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestHook, type RequestHookHandler } from '../http/request-hook.js';
import { RateLimiter } from './rate-limiter.service.js';

/**
 * Per-IP budget of requests answered 401 (T79: a flood of invalid tokens from one address). It
 * runs before authentication: an address past its budget gets 429 without its token being
 * verified, until the window slides. Only the 401s are counted, so good traffic never spends it.
 */
@RequestHook()
@Injectable()
export class AuthFailureLimitHook implements RequestHookHandler {
  constructor(private readonly limiter: RateLimiter) {}

  // `ip` is Fastify's: proxy-aware (trustProxy).
  onRequest(request: FastifyRequest, reply: FastifyReply): void | Promise<void> {
    const rule = this.limiter.authFailureRule(request.ip);
    if (!rule) return;
    const response = reply.raw;
    response.once('finish', () => {
      if (response.statusCode === 401) this.limiter.record(rule);
    });
    const verdict = this.limiter.check(rule);
    if (verdict !== true) return verdict.then(() => undefined);
  }
}
