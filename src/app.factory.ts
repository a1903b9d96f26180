import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { IncomingMessage } from 'node:http';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule, type AppModuleOptions } from './app.module.js';
import { httpMetricsMiddleware } from './observability/http-metrics.middleware.js';
import { MetricsService } from './observability/metrics.service.js';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter.js';
import { HardenedExpressAdapter } from './common/http/hardened-express-adapter.js';
import { contentSecurityPolicy } from './common/swagger/content-security-policy.js';
import { setupSwagger } from './common/swagger/swagger.js';
import { IMPORT_PATH } from './crm/import/import.controller.js';
import { mountAuthorizationServer } from './authorization-server/mount-authorization-server.js';

export const BODY_LIMIT = '1mb';

/**
 * Builds the configured Nest application (not yet listening). main.ts and the e2e tests share it,
 * so tests exercise exactly what production runs.
 */
export async function createApp(options: AppModuleOptions): Promise<NestExpressApplication> {
  // The adapter sets the slow-client timeouts and drains keep-alive sockets on close.
  const adapter = new HardenedExpressAdapter(options.config.http);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(options), adapter, {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  // First, so that request timing covers every other middleware (and requests they answer themselves).
  if (options.config.metrics) app.use(httpMetricsMiddleware(app.get(MetricsService)));
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  app.use(helmet({ contentSecurityPolicy: contentSecurityPolicy(options.config) }));
  // Before the JSON parser: the embedded authorization server reads its own request bodies.
  if (options.config.auth.embeddedIssuer) mountAuthorizationServer(app);
  // The import route streams its own body (JSON arrays included) past the 1 MB limit, up to its own cap.
  app.useBodyParser('json', { limit: BODY_LIMIT, strict: true, type: (request) => isJsonRequest(request) && !isImportRequest(request) });
  app.useGlobalFilters(new AllExceptionsFilter());
  await setupSwagger(app, options.config);
  return app;
}

/** body-parser's own default: the media type `application/json`, any parameters. */
function isJsonRequest(request: IncomingMessage): boolean {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
}

function isImportRequest(request: IncomingMessage): boolean {
  const path = request.url?.split('?')[0];
  return path === IMPORT_PATH || path === `${IMPORT_PATH}/`;
}

export function listeningUrl(app: INestApplication): string {
  const address = app.getHttpServer().address();
  if (!address || typeof address === 'string') throw new Error('server is not listening on TCP');
  return `http://127.0.0.1:${address.port}`;
}
