import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id the logger gave this request, as echoed on the response (Node's, or Fastify's reply: it reads through). */
export function requestIdOf(response: { getHeader(name: string): unknown }): string | undefined {
  const id = response.getHeader('x-request-id');
  return typeof id === 'string' ? id : undefined;
}

/** The caller's X-Request-Id when it is one plain token (1–128 of `A-Za-z0-9._:-`), else a new UUID. */
export function requestIdFor(request: IncomingMessage): string {
  const offered = request.headers['x-request-id'];
  return typeof offered === 'string' && REQUEST_ID.test(offered) ? offered : randomUUID();
}
