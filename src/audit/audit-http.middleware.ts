import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fastifyRequestOf, pathOf, routeTemplateOf } from '../common/http/fastify-request.js';
import { requestIdOf } from '../common/logging/request-id.js';
import { principalOf } from '../auth/current-principal.decorator.js';
import { AuditTrail } from './audit-trail.service.js';
import { digestArguments } from './args-digest.js';
import type { AuditOutcome } from './audit.types.js';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Records every REST write (POST/PUT/PATCH/DELETE) once its response is finished — including the
 * ones the guards refused (403) — with who, which route (its pattern, not the ids in it), a digest
 * of params+query+body, the status and the latency. Requests without an authenticated principal
 * (401s, public endpoints such as the OAuth token endpoint) have no tenant and are not recorded.
 * `/mcp` is left to the MCP gateway, which audits per JSON-RPC message and per RPC method.
 */
@Injectable()
export class AuditHttpMiddleware implements NestMiddleware {
  constructor(private readonly audit: AuditTrail) {}

  // Node's request and response (middleware runs under @fastify/middie); what routing, the guards
  // and the body parser found is read from Fastify's request once the response is finished.
  use(request: IncomingMessage, response: ServerResponse, next: () => void): void {
    if (!WRITE_METHODS.has(request.method ?? '') || isMcpPath(pathOf(request))) return next();
    const started = process.hrtime.bigint();
    response.once('finish', () => this.recordWrite(request, response, started));
    next();
  }

  private recordWrite(message: IncomingMessage, response: ServerResponse, started: bigint): void {
    const request = fastifyRequestOf(message);
    const principal = request && principalOf(request);
    if (!request || !principal) return;
    const routePath = routeTemplateOf(request);
    const status = response.statusCode;
    this.audit.record({
      tenantId: principal.tenantId,
      occurredAt: new Date(),
      subject: principal.subject,
      clientId: principal.clientId,
      tokenId: principal.tokenId,
      channel: 'rest',
      kind: 'http',
      name: `${request.method} ${typeof routePath === 'string' ? routePath : '(unmatched)'}`,
      argsDigest: digestArguments({ params: request.params ?? {}, query: request.query ?? {}, body: request.body ?? null }),
      outcome: outcomeOf(status),
      httpStatus: status,
      latencyMs: Number(process.hrtime.bigint() - started) / 1e6,
      requestId: requestIdOf(response),
    });
  }
}

export function outcomeOf(status: number): AuditOutcome {
  if (status < 400) return 'ok';
  if (status === 401 || status === 403) return 'denied';
  return status >= 500 ? 'error' : 'rejected';
}


function isMcpPath(path: string): boolean {
  return path === '/mcp' || path.startsWith('/mcp/');
}

