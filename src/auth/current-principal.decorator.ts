import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type AnyRequest, fastifyRequestOf } from '../common/http/fastify-request.js';
import type { Principal } from './principal.js';

/** Where the auth guard leaves the principal on the request. */
export const PRINCIPAL_KEY = 'principal';

/** The principal the guard left on the request, from Fastify's request or Node's (middleware's view). */
export function principalOf(request: AnyRequest): Principal | undefined {
  return (fastifyRequestOf(request) as { [PRINCIPAL_KEY]?: Principal } | undefined)?.[PRINCIPAL_KEY];
}

/** `@CurrentPrincipal()`: the authenticated caller `{ subject, clientId, tenantId, scopes }`. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = principalOf(context.switchToHttp().getRequest<AnyRequest>());
  // The global guard runs first and denies by default; reaching here without one is a wiring bug.
  if (!principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return principal;
});
