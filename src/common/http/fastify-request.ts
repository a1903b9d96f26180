import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';

/**
 * Guards, handlers and request hooks see Fastify's request; the middleware of the embedded
 * authorization server (run by @fastify/middie) sees Node's IncomingMessage, and so does the
 * exception filter when such a middleware fails.
 */
export type AnyRequest = FastifyRequest | IncomingMessage;
type MiddieMessage = IncomingMessage & { originalUrl?: string };

export function isFastifyRequest(request: AnyRequest): request is FastifyRequest {
  return 'raw' in request;
}

/** The URL path as the client sent it (still percent-encoded), without the query string. */
export function pathOf(request: AnyRequest): string {
  // middie rewrites `url` while a mounted middleware runs; `originalUrl` keeps the full one.
  const url = isFastifyRequest(request) ? request.originalUrl : ((request as MiddieMessage).originalUrl ?? request.url ?? '/');
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** The route template Fastify matched (`/api/v1/crm/accounts/:id`), or undefined when none did (404). */
export function routeTemplateOf(request: FastifyRequest): string | undefined {
  return request.is404 ? undefined : request.routeOptions.url;
}

const MOUNT_POINT = Symbol('mountPoint');

/** Records that a sub-application mounted on `prefix` (the authorization server) answers this request. */
export function markMountPoint(request: IncomingMessage, prefix: string): void {
  (request as IncomingMessage & { [MOUNT_POINT]?: string })[MOUNT_POINT] = prefix;
}

export function mountPointOf(request: FastifyRequest): string | undefined {
  return (request.raw as IncomingMessage & { [MOUNT_POINT]?: string })[MOUNT_POINT];
}
