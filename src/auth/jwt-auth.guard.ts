import { type ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { pathOf } from '../common/http/fastify-request.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { DomainError } from '../common/errors/domain-error.js';
import { MetricsService } from '../observability/metrics.service.js';
import { AuthError, authFailureReason, withFailureReason } from './auth.errors.js';
import { readBearerCredentials } from './bearer-token.js';
import { PRINCIPAL_KEY } from './current-principal.decorator.js';
import { RevokedTokens } from './revocation/revoked-tokens.js';
import { JwksKeyStore } from './jwks/key-store.js';
import { BEARER_TOKEN_KEY, VERIFIED_WITH_KEY, type VerifiedWith } from './jwt.strategy.js';
import type { Principal } from './principal.js';
import { IS_PUBLIC } from './public.decorator.js';
import { REQUIRED_SCOPES } from './require-scopes.decorator.js';
import { TenantsService } from './tenants/tenants.service.js';
import { resourceMetadataUrl } from './token-claims.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

type AuthRequest = FastifyRequest & {
  [BEARER_TOKEN_KEY]?: string;
  [VERIFIED_WITH_KEY]?: VerifiedWith;
  [PRINCIPAL_KEY]?: Principal;
  user?: Principal;
};

/**
 * Global guard, deny by default: every route needs a valid token unless it is `@Public()`.
 * It reads the header strictly, lets passport-jwt verify the token, then checks the tenant.
 * Scopes are checked next by ScopesGuard.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tenants: TenantsService,
    private readonly keyStore: JwksKeyStore,
    private readonly verifiedTokens: VerifiedTokenCache,
    private readonly revokedTokens: RevokedTokens,
    private readonly metrics: MetricsService,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    try {
      return await this.authenticate(context);
    } catch (error) {
      const reason = authFailureReason(error);
      if (reason) this.metrics.recordAuthFailure(reason);
      throw error;
    }
  }

  private async authenticate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthRequest>();
    const path = pathOf(request);
    const metadataUrl = resourceMetadataUrl(this.config.publicUrl, path);
    const credentials = readBearerCredentials(request);
    if (credentials.kind === 'none') {
      const required = this.reflector.getAllAndOverride<string[]>(REQUIRED_SCOPES, targets);
      throw AuthError.missingToken(metadataUrl, required?.join(' '));
    }
    if (credentials.kind === 'malformed') throw AuthError.invalidRequest(metadataUrl, credentials.reason);
    const cacheKey = this.verifiedTokens.keyOf(credentials.token);
    const principal = (await this.fromCache(cacheKey)) ?? (await this.verify(context, request, credentials.token, cacheKey));
    if (this.revokedTokens.has(principal.tokenId)) {
      delete request.user;
      this.logger.warn({ reason: 'revoked', path }, 'token rejected');
      throw withFailureReason(AuthError.invalidToken(metadataUrl), 'revoked');
    }
    try {
      await this.tenants.assertKnown(principal.tenantId);
    } catch (error) {
      // An unknown tenant touches nothing: no principal stays on the request for code that runs
      // when it finishes (the audit trail records writes of requests that carry one).
      delete request.user;
      throw error;
    }
    request.user = principal;
    request[PRINCIPAL_KEY] = principal;
    return true;
  }

  /**
   * A token that passed full verification before, under the current key set and before its `exp`.
   * The key store is still asked about its kid: that keeps the refresh, the stale window (503
   * beyond it) and key removal (the kid vanishes, the generation moves) exactly as without cache.
   */
  private async fromCache(cacheKey: string): Promise<Principal | undefined> {
    const hit = this.verifiedTokens.get(cacheKey, this.keyStore.generation, Date.now());
    if (!hit) return undefined;
    const lookup = await this.keyStore.lookup(hit.kid);
    return lookup.found && this.keyStore.generation === hit.generation ? hit.principal : undefined;
  }

  /** Full verification through passport-jwt; a success is remembered for the token's lifetime. */
  private async verify(context: ExecutionContext, request: AuthRequest, token: string, cacheKey: string): Promise<Principal> {
    request[BEARER_TOKEN_KEY] = token;
    await super.canActivate(context);
    const principal = request.user!;
    const verifiedWith = request[VERIFIED_WITH_KEY];
    if (verifiedWith) this.verifiedTokens.set(cacheKey, { principal, ...verifiedWith }, Date.now());
    return principal;
  }

  /** passport's outcome → the contract: keys unavailable stays 503; every other failure is one coarse 401. */
  override handleRequest<TUser = Principal>(error: unknown, user: TUser | false, info: unknown, context: ExecutionContext): TUser {
    const failure = error ?? info;
    if (user && !failure) return user;
    if (failure instanceof DomainError && failure.code === 'unavailable') throw failure;
    const path = pathOf(context.switchToHttp().getRequest<FastifyRequest>());
    this.logger.warn({ reason: describe(failure), path }, 'token rejected');
    const expired = (failure as { name?: string } | undefined)?.name === 'TokenExpiredError';
    const metadataUrl = resourceMetadataUrl(this.config.publicUrl, path);
    if (expired) throw withFailureReason(AuthError.invalidToken(metadataUrl, 'The access token expired'), 'expired');
    throw AuthError.invalidToken(metadataUrl);
  }
}

function describe(failure: unknown): string {
  if (failure instanceof Error) return `${failure.name}: ${failure.message}`.slice(0, 200);
  return 'no token';
}
