import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { EmbeddedAuthorizationServer } from './embedded-authorization-server.js';
import { AS_MOUNT_PATH, INTERACTION_PATH, publicBasePath } from './oidc-configuration.js';

/**
 * Mounts the embedded authorization server on the Express instance: its endpoints under /oauth
 * (before any body parser: the provider reads its own bodies), and its metadata also at the
 * RFC 8414 path-inserted location `/.well-known/oauth-authorization-server/oauth`. The login page
 * under /oauth/interaction is left to its Nest controller. Call only in embedded mode.
 */
export function mountAuthorizationServer(app: NestExpressApplication): void {
  const server = app.get(EmbeddedAuthorizationServer);
  const callback = server.provider.callback();
  const publicUrl = new URL(server.config.publicUrl);
  const basePath = publicBasePath(server.config);
  // Every URL the provider writes (metadata, redirects, cookie paths) derives from PUBLIC_URL,
  // whatever Host the request came with: the issuer and its endpoints must agree.
  const pinToPublicUrl = (request: Request) => {
    request.headers['x-forwarded-host'] = publicUrl.host;
    request.headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
  };
  const express = app.getHttpAdapter().getInstance() as { use: (path: string, handler: unknown) => void };

  express.use(AS_MOUNT_PATH, (request: Request, response: Response, next: NextFunction) => {
    pinToPublicUrl(request);
    // The browser part of a flow often runs in a popup (Swagger UI) that must keep its opener,
    // redirects included: no opener isolation on the authorization server's responses.
    response.setHeader('cross-origin-opener-policy', 'unsafe-none');
    if (request.path.startsWith(`${INTERACTION_PATH}/`)) return next();
    // The provider derives its mount path from originalUrl; a proxy prefix in PUBLIC_URL belongs to it.
    request.originalUrl = `${basePath}${request.originalUrl}`;
    void callback(request, response);
  });

  express.use(`/.well-known/oauth-authorization-server${AS_MOUNT_PATH}`, (request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'OPTIONS') return next();
    if (request.path !== '/') return next();
    pinToPublicUrl(request);
    request.url = '/.well-known/openid-configuration';
    request.originalUrl = `${basePath}${AS_MOUNT_PATH}${request.url}`;
    void callback(request, response);
  });
}
