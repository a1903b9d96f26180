import { type DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';

// Tokens are never accepted in URLs, but a client may still send one there: keep it out of the log.
const SENSITIVE_QUERY = /([?&](?:access_token|token|id_token|refresh_token|code|code_verifier|client_secret|state)=)[^&#]*/gi;

export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(SENSITIVE_QUERY, '$1[REDACTED]');
}

/**
 * Structured JSON logs with a request id; Authorization, cookies and token-bearing query values
 * never logged. The id is Fastify's request id (request-id.ts, echoed as X-Request-Id by the
 * adapter): middie hands it to pino-http as `req.id`, which pino-http keeps.
 */
@Module({})
export class LoggingModule {
  static forRoot(level: string): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          // nestjs-pino's default path, `{/*splat}`, matches no request under Nest's Fastify
          // adapter (12.5): the request log and the X-Request-Id would silently stop.
          forRoutes: [{ path: '/{*splat}', method: RequestMethod.ALL }],
          pinoHttp: {
            level,
            redact: {
              paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["proxy-authorization"]', 'res.headers["set-cookie"]'],
              censor: '[REDACTED]',
            },
            serializers: {
              req: (req: { id: unknown; method: string; url: string; headers: Record<string, unknown> }) => ({
                id: req.id,
                method: req.method,
                url: redactUrl(req.url),
                userAgent: req.headers['user-agent'],
              }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
            customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
          },
        }),
      ],
    };
  }
}
