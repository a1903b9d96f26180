import type { FastifyInstance, FastifyRequest } from 'fastify';
import { mountPointOf, routeTemplateOf } from '../common/http/fastify-request.js';
import type { MetricsService } from './metrics.service.js';

/** Label of requests that matched no route (scanners, 404s): one series, not one per path. */
export const UNMATCHED_ROUTE = '<unmatched>';

/**
 * Times every request from the moment Fastify routes it to the last byte (Fastify's
 * `reply.elapsedTime`, read in `onResponse`, which fires on the response's `finish` even when a
 * middleware wrote it), labelled by the route *template* Fastify matched
 * (`/api/v1/crm/accounts/:id`), never the raw path. One histogram observe per request.
 */
export function observeHttpRequests(fastify: FastifyInstance, metrics: MetricsService): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.recordHttpRequest(request.method, routeOf(request), reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}

// A wildcard route (`/docs/*`, Swagger UI's files) is labelled by its prefix.
const WILDCARD = /\/?\*$/;

function routeOf(request: FastifyRequest): string {
  const template = routeTemplateOf(request);
  if (template !== undefined) return template.replace(WILDCARD, '') || UNMATCHED_ROUTE;
  // A sub-application mounted on a prefix (the embedded authorization server): the prefix.
  return mountPointOf(request) ?? UNMATCHED_ROUTE;
}
