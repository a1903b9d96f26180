import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';

/**
 * Nest middleware (run by @fastify/middie) sees Node's IncomingMessage, guards and handlers see
 * Fastify's request. The adapter links the first to the second as each request starts, so code
 * that runs when a response finishes (metrics, audit trail) can read what guards and routing left
 * on the request (principal, route template, params, parsed body).
 */
const FASTIFY_REQUEST = Symbol('fastifyRequest');

export type AnyRequest = FastifyRequest | IncomingMessage;
type LinkedMessage = IncomingMessage & { [FASTIFY_REQUEST]?: FastifyRequest; originalUrl?: string };

export function linkRequest(request: FastifyRequest): void {
  (request.raw as LinkedMessage)[FASTIFY_REQUEST] = request;
}

export function isFastifyRequest(request: AnyRequest): request is FastifyRequest {
  return 'raw' in request;
}

/** Fastify's request behind either view of it (undefined for a message Fastify never routed). */
export function fastifyRequestOf(request: AnyRequest): FastifyRequest | undefined {
  return isFastifyRequest(request) ? request : (request as LinkedMessage)[FASTIFY_REQUEST];
}

/** The URL path as the client sent it (still percent-encoded), without the query string. */
export function pathOf(request: AnyRequest): string {
  // middie rewrites `url` while a mounted middleware runs; `originalUrl` keeps the full one.
  const url = isFastifyRequest(request) ? request.originalUrl : ((request as LinkedMessage).originalUrl ?? request.url ?? '/');
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
