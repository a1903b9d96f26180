import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
// Tokens are never accepted in URLs, but a client may still send one there: keep it out of the log.
const SENSITIVE_QUERY = /([?&](?:access_token|token|id_token|refresh_token|code|code_verifier|client_secret|state)=)[^&#]*/gi;

export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(SENSITIVE_QUERY, '$1[REDACTED]');
}

/** Structured JSON logs with a request id; Authorization, cookies and token-bearing query values never logged. */
@Module({})
export class LoggingModule {
  static forRoot(level: string): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level,
            genReqId: (req: IncomingMessage, res: ServerResponse) => {
              const offered = req.headers['x-request-id'];
              const id = typeof offered === 'string' && REQUEST_ID.test(offered) ? offered : randomUUID();
              res.setHeader('X-Request-Id', id);
              return id;
            },
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
