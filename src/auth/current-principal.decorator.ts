import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal } from './principal.js';

/** Where the auth guard leaves the principal on the request. */
export const PRINCIPAL_KEY = 'principal';

/** The principal the auth guard left on Fastify's request. */
export function principalOf(request: FastifyRequest): Principal | undefined {
  return (request as FastifyRequest & { [PRINCIPAL_KEY]?: Principal })[PRINCIPAL_KEY];
}

/** `@CurrentPrincipal()`: the authenticated caller `{ subject, clientId, tenantId, scopes }`. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = principalOf(context.switchToHttp().getRequest<FastifyRequest>());
  // The global guard runs first and denies by default; reaching here without one is a wiring bug.
  if (!principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return principal;
});
