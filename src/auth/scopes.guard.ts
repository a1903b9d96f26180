import { type CanActivate, type ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { pathOf } from '../common/http/fastify-request.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { MetricsService } from '../observability/metrics.service.js';
import { AuthError, authFailureReason } from './auth.errors.js';
import { principalOf } from './current-principal.decorator.js';
import { IS_PUBLIC } from './public.decorator.js';
import { REQUIRED_SCOPES, SCOPES_CHECKED_BY_HANDLER } from './require-scopes.decorator.js';
import { missingScopes } from './scope.js';
import { resourceMetadataUrl } from './token-claims.js';

/**
 * Reads `@RequireScopes(...)` and answers 403 with the RFC 6750 challenge when the token lacks
 * one. A protected route that declares no scope at all is refused too (deny by default, T30).
 */
@Injectable()
export class ScopesGuard implements CanActivate {
  private readonly logger = new Logger('Scopes');

  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    try {
      return this.authorize(context);
    } catch (error) {
      const reason = authFailureReason(error);
      if (reason) this.metrics.recordAuthFailure(reason);
      throw error;
    }
  }

  private authorize(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = principalOf(request);
    const required = this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_SCOPES, targets);
    const metadataUrl = resourceMetadataUrl(this.config.publicUrl, pathOf(request));
    if (!principal) throw AuthError.missingToken(metadataUrl);
    // MCP endpoint and seed RPC routes: authenticated here, each JSON-RPC message's scope checked
    // by the handler before anything runs. Every other route stays deny-by-default below.
    if (this.reflector.getAllAndOverride<boolean>(SCOPES_CHECKED_BY_HANDLER, targets)) return true;
    if (!required || required.length === 0) {
      this.logger.error(`${request.method} ${pathOf(request)} declares neither @RequireScopes nor @Public: refused`);
      throw new AuthError('forbidden', 'This route declares no access policy');
    }
    const missing = missingScopes(principal.scopes, required);
    if (missing.length > 0) throw AuthError.insufficientScope(metadataUrl, missing);
    return true;
  }
}
