import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import { logRequests } from './common/logging/access-log.hook.js';
import { AppModule, type AppModuleOptions } from './app.module.js';
import { observeHttpRequests } from './observability/http-metrics.hook.js';
import { MetricsService } from './observability/metrics.service.js';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter.js';
import { HardenedFastifyAdapter } from './common/http/hardened-fastify-adapter.js';
import { serializeJson } from './common/http/frozen-json.js';
import { installRequestHooks } from './common/http/request-hook.js';
import { BODY_LIMIT_BYTES, registerBodyParsers } from './common/http/json-body.js';
import { contentSecurityPolicy } from './common/swagger/content-security-policy.js';
import { setupSwagger } from './common/swagger/swagger.js';
import { IMPORT_PATH } from './crm/import/import.controller.js';
import { mountAuthorizationServer } from './authorization-server/mount-authorization-server.js';

/**
 * Builds the configured Nest application (not yet listening). main.ts and the e2e tests share it,
 * so tests exercise exactly what production runs.
 */
export async function createApp(options: AppModuleOptions): Promise<NestFastifyApplication> {
  // The adapter sets the slow-client timeouts, trusts loopback proxies and drains keep-alive sockets on close.
  const adapter = createHttpAdapter(options.config.http);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  logRequests(app.getHttpAdapter().getInstance(), PinoLogger.root);
  // Timed from the moment Fastify routes the request to the last byte, so requests answered by
  // middleware (the authorization server) are counted too.
  if (options.config.metrics) observeHttpRequests(app.getHttpAdapter().getInstance(), app.get(MetricsService));
  // helmet's headers and defaults, set before any middleware runs (so on every response: the
  // authorization server's, 404s and errors included). Fastify sends no X-Powered-By.
  app.useSecurityHeaders({ contentSecurityPolicy: contentSecurityPolicy(options.config) });
  // The features' pre-authentication checks and observers (`@RequestHook()` providers).
  installRequestHooks(app);
  // Middleware runs before body parsing: the embedded authorization server reads its own request bodies.
  if (options.config.auth.embeddedIssuer) mountAuthorizationServer(app);
  configureHttp(app);
  await setupSwagger(app, options.config);
  return app;
}

/** The HTTP adapter createApp uses (timeouts from the config, 1 MB bodies). */
export function createHttpAdapter(settings: AppModuleOptions['config']['http']): HardenedFastifyAdapter {
  return new HardenedFastifyAdapter(settings, { bodyLimit: BODY_LIMIT_BYTES });
}

/** Body parsing, JSON serialization and the one exception filter, as every app of ours (and the error contract tests) has them. */
export function configureHttp(app: NestFastifyApplication): void {
  // The import route streams its own body (JSON arrays included) past the 1 MB limit, up to its own cap.
  const fastify = app.getHttpAdapter().getInstance();
  registerBodyParsers(fastify, { limit: BODY_LIMIT_BYTES, exempt: isImportRequest });
  fastify.setReplySerializer(serializeJson);
  app.useGlobalFilters(new AllExceptionsFilter());
}

function isImportRequest(request: FastifyRequest): boolean {
  return request.routeOptions.url === IMPORT_PATH;
}

export function listeningUrl(app: INestApplication): string {
  const address = app.getHttpServer().address();
  if (!address || typeof address === 'string') throw new Error('server is not listening on TCP');
  return `http://127.0.0.1:${address.port}`;
}
