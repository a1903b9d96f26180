import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { pathOf } from '../http/fastify-request.js';
import { ALL_SCOPES, SCOPE_DESCRIPTIONS } from '../../auth/scope.js';
import { BEARER_SCHEME, OAUTH2_SCHEME } from '../../auth/require-scopes.decorator.js';
import { SWAGGER_UI_CLIENT_ID } from '../../authorization-server/demo-identities.js';
import type { AppConfig } from '../../config/app-config.js';
import { discoverOAuthEndpoints, embeddedOAuthEndpoints, type OAuthEndpoints } from './oauth-endpoints.js';

/** Where Swagger UI's OAuth popup lands (served by Swagger UI's static files under /docs). */
export function swaggerRedirectUrl(config: AppConfig): string {
  return `${config.publicUrl}/docs/oauth2-redirect.html`;
}

/**
 * Swagger UI at /docs and the OpenAPI document at /docs-json (both public). "Authorize" offers
 * OAuth 2 client credentials and authorization code + PKCE against the configured issuer (the
 * embedded one, or an external one whose metadata answered at boot), with the catalog's scopes;
 * a pasted bearer token always works too.
 */
export async function setupSwagger(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const endpoints = config.auth.embeddedIssuer ? embeddedOAuthEndpoints(config) : await discoverOAuthEndpoints(config.auth.issuer);
  const builder = new DocumentBuilder()
    .setTitle('Sales Analytics MCP server')
    .setDescription('REST API and MCP server for AI-driven sales analytics. Every route needs an OAuth 2.1 access token with the scope it names.')
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_SCHEME);
  if (endpoints) builder.addOAuth2(oauth2Scheme(config, endpoints), OAUTH2_SCHEME);
  const document = SwaggerModule.createDocument(app, builder.build());
  // Without a usable issuer, the OAuth2 requirements would name a scheme that does not exist.
  if (!endpoints) dropSecurityScheme(document, OAUTH2_SCHEME);
  app.getHttpAdapter().getInstance().addHook('onRequest', relaxOpenerPolicy);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Sales Analytics API',
    swaggerOptions: {
      persistAuthorization: true,
      validatorUrl: null,
      oauth2RedirectUrl: swaggerRedirectUrl(config),
      initOAuth: {
        clientId: config.auth.embeddedIssuer ? SWAGGER_UI_CLIENT_ID : undefined,
        usePkceWithAuthorizationCodeGrant: true,
        scopeSeparator: ' ',
        // RFC 8707 `resource`, and Auth0's `audience`, so an external issuer mints tokens for us.
        additionalQueryStringParams: config.auth.embeddedIssuer ? undefined : { resource: config.resourceUrl, audience: config.auth.audience },
      },
    },
  });
}

/**
 * Swagger UI's OAuth popup reports back to its opener from oauth2-redirect.html. Helmet's default
 * COOP (same-origin) would cut that link as soon as the popup visits the issuer's pages: /docs
 * keeps its opener-isolation but lets its popups keep theirs, and the redirect page sets none.
 * A Fastify hook after helmet's, not middleware: one Express-style middleware makes
 * @fastify/middie copy the request's fields and run its chain on every request of the API.
 */
function relaxOpenerPolicy(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const path = pathOf(request);
  if (path === '/docs' || path.startsWith('/docs/')) {
    reply.raw.setHeader('Cross-Origin-Opener-Policy', path === '/docs/oauth2-redirect.html' ? 'unsafe-none' : 'same-origin-allow-popups');
  }
  done();
}

function oauth2Scheme(config: AppConfig, endpoints: OAuthEndpoints) {
  const scopes = Object.fromEntries(ALL_SCOPES.map((scope) => [scope, SCOPE_DESCRIPTIONS[scope]]));
  const hint = config.auth.embeddedIssuer
    ? `Embedded demo issuer. Client credentials: acme-analyst, acme-ops or globex-analyst with the secret printed at start-up. ` +
      `Authorization code: client ${SWAGGER_UI_CLIENT_ID}, no secret (PKCE), then pick a demo user.`
    : `Issuer ${config.auth.issuer}.`;
  return {
    type: 'oauth2' as const,
    description: hint,
    flows: {
      ...(endpoints.tokenUrl ? { clientCredentials: { tokenUrl: endpoints.tokenUrl, scopes } } : {}),
      ...(endpoints.authorizationUrl && endpoints.tokenUrl
        ? { authorizationCode: { authorizationUrl: endpoints.authorizationUrl, tokenUrl: endpoints.tokenUrl, refreshUrl: endpoints.tokenUrl, scopes } }
        : {}),
    },
  };
}

function dropSecurityScheme(document: OpenAPIObject, scheme: string): void {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item)) {
      if (operation && typeof operation === 'object' && 'security' in operation && Array.isArray(operation.security)) {
        operation.security = operation.security.filter((requirement: Record<string, unknown>) => !(scheme in requirement));
      }
    }
  }
}
