import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOAuth2, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Scope } from './scope.js';

export const REQUIRED_SCOPES = 'auth:required-scopes';
/**
 * Marks an authenticated route whose scopes depend on the request body, so no static
 * `@RequireScopes` can name them (the MCP JSON-RPC endpoint and its seed RPC twins): ScopesGuard
 * lets an authenticated caller through, and the handler checks each message's scope itself.
 */
export const SCOPES_CHECKED_BY_HANDLER = 'auth:scopes-checked-by-handler';
/** Name of the OAuth2 security scheme in the OpenAPI document. */
export const OAUTH2_SCHEME = 'oauth2';
export const BEARER_SCHEME = 'bearer';

/**
 * Requires a valid access token holding every listed scope. One decorator carries the guard
 * metadata and the Swagger security requirement, so documentation cannot drift from enforcement.
 */
export function RequireScopes(...scopes: [Scope, ...Scope[]]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_SCOPES, scopes),
    ApiOAuth2(scopes, OAUTH2_SCHEME),
    ApiBearerAuth(BEARER_SCHEME),
    ApiUnauthorizedResponse({ description: 'No, invalid or expired token (RFC 6750 challenge in WWW-Authenticate)' }),
    ApiForbiddenResponse({ description: `Token lacks scope: ${scopes.join(' ')}; or unknown tenant` }),
  );
}

/**
 * `@ScopesCheckedByHandler()`: a valid token is still required (the global guard), but the route's
 * scopes are per message and enforced by the handler with the same 403 challenge. Only for routes
 * whose every operation is looked up in a registry that carries a scope per operation.
 */
export function ScopesCheckedByHandler(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(SCOPES_CHECKED_BY_HANDLER, true),
    ApiBearerAuth(BEARER_SCHEME),
    ApiUnauthorizedResponse({ description: 'No, invalid or expired token (RFC 6750 challenge in WWW-Authenticate)' }),
    ApiForbiddenResponse({ description: 'Token lacks the scope of the requested operation (RFC 6750 insufficient_scope challenge); or unknown tenant' }),
  );
}
