import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';

// Tokens are never accepted in URLs, but a client may still send one there: keep it out of the log.
const SENSITIVE_QUERY = /([?&](?:access_token|token|id_token|refresh_token|code|code_verifier|client_secret|state)=)[^&#]*/gi;

export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(SENSITIVE_QUERY, '$1[REDACTED]');
}

/**
 * Structured JSON logs (pino, as Nest's logger through nestjs-pino); Authorization, cookies and
 * token-bearing query values never logged. Each request gets one line from the access-log hook
 * (access-log.hook.ts) with Fastify's request id (request-id.ts, echoed as X-Request-Id by the
 * adapter). nestjs-pino's own per-request middleware is not mounted (`forRoutes: []`): see the hook
 * for what it cost. The `pinoHttp` options still build the one root logger and its serializers.
 */
@Module({})
export class LoggingModule {
  static forRoot(level: string): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          forRoutes: [],
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
          },
        }),
      ],
    };
  }
}
