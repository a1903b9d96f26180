import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

/**
 * One log line per finished request — the line pino-http wrote as Nest middleware: `req` (id,
 * method, URL with token-bearing query values redacted, user agent) and `res` (status) through
 * the logger's serializers, `responseTime` in ms; `info` below 400, `warn` for 4xx, `error` for
 * 5xx. Written from Fastify's `onResponse` (which fires on the response's `finish`, also when a
 * middleware or a hijacked handler wrote it), and only when the level is on: at `warn`, a 200
 * costs one comparison.
 *
 * Why not pino-http's middleware (through nestjs-pino): it builds a child logger for every
 * request and runs the rest of the request inside an AsyncLocalStorage, whose promise hooks
 * Node 20 pays on every promise — together ≈ 25 % of the CPU of a cached read (`npm run bench`,
 * (d) with and without it). Logs written during a request no longer carry its `req` binding; the
 * error logs that matter name their request (the exception filter's `requestId`, the MCP
 * failures' `errorId`, which the client also receives).
 */
export function logRequests(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    if (logger.isLevelEnabled(level)) {
      // The request serializer reads the id from Node's request, where pino-http used to put it.
      const raw = request.raw as typeof request.raw & { id?: string };
      raw.id = request.id;
      logger[level]({ req: raw, res: reply.raw, responseTime: Math.round(reply.elapsedTime) }, status >= 500 ? 'request errored' : 'request completed');
    }
    done();
  });
}
