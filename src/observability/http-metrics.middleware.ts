import type { NextFunction, Request, Response } from 'express';
import type { MetricsService } from './metrics.service.js';

/** Label of requests that matched no route (scanners, 404s): one series, not one per path. */
export const UNMATCHED_ROUTE = '<unmatched>';

/**
 * Times every request from its first middleware to the last byte, labelled by the route
 * *template* Express matched (`/api/v1/crm/accounts/:id`), never the raw path. Costs one
 * `finish` listener and one histogram observe per request.
 */
export function httpMetricsMiddleware(metrics: MetricsService) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    response.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.recordHttpRequest(request.method, routeOf(request), response.statusCode, seconds);
    });
    next();
  };
}

// A catch-all route (`{/*splat}`, `*`) matched: as good as no route.
const CATCH_ALL = /^\{?\/?\*\w*\}?$/;

function routeOf(request: Request): string {
  const template = (request.route as { path?: unknown } | undefined)?.path;
  if (typeof template === 'string') return CATCH_ALL.test(template) ? request.baseUrl || UNMATCHED_ROUTE : request.baseUrl + template;
  // A sub-application mounted on a prefix (e.g. the embedded authorization server): the prefix.
  return request.baseUrl || UNMATCHED_ROUTE;
}
