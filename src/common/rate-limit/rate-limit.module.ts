import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthFailureLimitHook } from './auth-failure-limit.hook.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RateLimiter } from './rate-limiter.service.js';

/**
 * Rate limits on REST and MCP alike. Import it AFTER AuthModule: global guards run in the order
 * their modules register them, and this guard needs the principal the auth guard sets.
 */
@Module({
  providers: [RateLimiter, AuthFailureLimitHook, { provide: APP_GUARD, useClass: RateLimitGuard }],
  exports: [RateLimiter],
})
export class RateLimitModule {}
