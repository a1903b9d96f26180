import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOAuth2, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Scope } from './scope.js';

export const REQUIRED_SCOPES = 'auth:required-scopes';
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
