import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { markMountPoint } from '../common/http/fastify-request.js';
import { EmbeddedAuthorizationServer } from './embedded-authorization-server.js';
import { AS_MOUNT_PATH, INTERACTION_PATH, publicBasePath } from './oidc-configuration.js';

type MountedRequest = IncomingMessage & { originalUrl: string; url: string };

/**
 * Mounts the embedded authorization server as middleware (@fastify/middie, as oidc-provider's
 * docs do on Fastify): its endpoints under /oauth, and its metadata also at the RFC 8414
 * path-inserted location `/.well-known/oauth-authorization-server/oauth`. Middleware runs before
 * Fastify parses any body: the provider reads its own. The login page under /oauth/interaction is
 * left to its Nest controller. Call only in embedded mode.
 */
export function mountAuthorizationServer(app: NestFastifyApplication): void {
  const server = app.get(EmbeddedAuthorizationServer);
  const callback = server.provider.callback();
  const publicUrl = new URL(server.config.publicUrl);
  const basePath = publicBasePath(server.config);
  // Every URL the provider writes (metadata, redirects, cookie paths) derives from PUBLIC_URL,
  // whatever Host the request came with: the issuer and its endpoints must agree.
  const pinToPublicUrl = (request: IncomingMessage) => {
    request.headers['x-forwarded-host'] = publicUrl.host;
    request.headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
  };
  // middie strips the mount path from `url` (as Express did) and keeps the full one in `originalUrl`.
  const pathWithin = (request: MountedRequest) => request.url.split('?')[0]!;

  app.use(AS_MOUNT_PATH, (request: MountedRequest, response: ServerResponse, next: (error?: unknown) => void) => {
    pinToPublicUrl(request);
    // The browser part of a flow often runs in a popup (Swagger UI) that must keep its opener,
    // redirects included: no opener isolation on the authorization server's responses.
    response.setHeader('cross-origin-opener-policy', 'unsafe-none');
    if (pathWithin(request).startsWith(`${INTERACTION_PATH}/`)) return next();
    markMountPoint(request, AS_MOUNT_PATH);
    // The provider derives its mount path from originalUrl; a proxy prefix in PUBLIC_URL belongs to it.
    request.originalUrl = `${basePath}${request.originalUrl}`;
    void callback(request, response);
  });

  app.use(`/.well-known/oauth-authorization-server${AS_MOUNT_PATH}`, (request: MountedRequest, response: ServerResponse, next: (error?: unknown) => void) => {
    if (request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'OPTIONS') return next();
    if (pathWithin(request) !== '/') return next();
    pinToPublicUrl(request);
    markMountPoint(request, `/.well-known/oauth-authorization-server${AS_MOUNT_PATH}`);
    request.url = '/.well-known/openid-configuration';
    request.originalUrl = `${basePath}${AS_MOUNT_PATH}${request.url}`;
    void callback(request, response);
  });
}
