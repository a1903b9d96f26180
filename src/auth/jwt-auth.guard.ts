import { type ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { DomainError } from '../common/errors/domain-error.js';
import { AuthError } from './auth.errors.js';
import { readBearerCredentials } from './bearer-token.js';
import { PRINCIPAL_KEY } from './current-principal.decorator.js';
import { BEARER_TOKEN_KEY } from './jwt.strategy.js';
import type { Principal } from './principal.js';
import { IS_PUBLIC } from './public.decorator.js';
import { REQUIRED_SCOPES } from './require-scopes.decorator.js';
import { TenantsService } from './tenants/tenants.service.js';
import { resourceMetadataUrl } from './token-claims.js';

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
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<Request>();
    const metadataUrl = resourceMetadataUrl(this.config.publicUrl, request.path);
    const credentials = readBearerCredentials(request);
    if (credentials.kind === 'none') {
      const required = this.reflector.getAllAndOverride<string[]>(REQUIRED_SCOPES, targets);
      throw AuthError.missingToken(metadataUrl, required?.join(' '));
    }
    if (credentials.kind === 'malformed') throw AuthError.invalidRequest(metadataUrl, credentials.reason);
    (request as Request & { [BEARER_TOKEN_KEY]?: string })[BEARER_TOKEN_KEY] = credentials.token;
    await super.canActivate(context);
    const principal = (request as Request & { user?: Principal }).user!;
    (request as Request & { [PRINCIPAL_KEY]?: Principal })[PRINCIPAL_KEY] = principal;
    await this.tenants.assertKnown(principal.tenantId);
    return true;
  }

  /** passport's outcome → the contract: keys unavailable stays 503; every other failure is one coarse 401. */
  override handleRequest<TUser = Principal>(error: unknown, user: TUser | false, info: unknown, context: ExecutionContext): TUser {
    const failure = error ?? info;
    if (user && !failure) return user;
    if (failure instanceof DomainError && failure.code === 'unavailable') throw failure;
    const request = context.switchToHttp().getRequest<Request>();
    this.logger.warn({ reason: describe(failure), path: request.path }, 'token rejected');
    const expired = (failure as { name?: string } | undefined)?.name === 'TokenExpiredError';
    throw AuthError.invalidToken(
      resourceMetadataUrl(this.config.publicUrl, request.path),
      expired ? 'The access token expired' : 'Invalid or expired token',
    );
  }
}

function describe(failure: unknown): string {
  if (failure instanceof Error) return `${failure.name}: ${failure.message}`.slice(0, 200);
  return 'no token';
}
