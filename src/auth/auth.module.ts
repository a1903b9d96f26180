import { Global, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ReadinessRegistry } from '../health/readiness.registry.js';
import { JwksKeyStore } from './jwks/key-store.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { JwtStrategy } from './jwt.strategy.js';
import { RevokedTokens } from './revocation/revoked-tokens.js';
import { ScopesGuard } from './scopes.guard.js';
import { TenantsRepository } from './tenants/tenants.repository.js';
import { TenantsService } from './tenants/tenants.service.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

/**
 * The OAuth 2.1 resource server: every route is denied unless a valid token with the declared
 * scopes arrives (or the route is `@Public()`). Guards run in this order: token, then scopes.
 */
@Global()
@Module({
  imports: [PassportModule.register({ session: false })],
  providers: [
    JwksKeyStore,
    JwtStrategy,
    TenantsRepository,
    TenantsService,
    VerifiedTokenCache,
    RevokedTokens,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: ScopesGuard },
  ],
  exports: [JwksKeyStore, TenantsService],
})
export class AuthModule implements OnApplicationBootstrap {
  constructor(
    private readonly keyStore: JwksKeyStore,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onApplicationBootstrap(): void {
    // Ready = signing keys loaded; an attempt is made on each probe until they are. terminus 12 turns a
    // thrown error into a 500, so "not ready" is reported as a `down` result (→ 503 + Retry-After).
    this.readiness.register(async () => {
      const up = this.keyStore.ready || (await this.keyStore.warmUp());
      return { signingKeys: up ? { status: 'up' } : { status: 'down', message: 'signing keys not loaded' } };
    });
  }
}
