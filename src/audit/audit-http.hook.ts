import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { routeTemplateOf } from '../common/http/fastify-request.js';
import { RequestHook, type RequestHookHandler } from '../common/http/request-hook.js';
import { requestIdOf } from '../common/logging/request-id.js';
import { principalOf } from '../auth/current-principal.decorator.js';
import { isMcpRoute } from '../mcp/mcp-http.js';
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
@RequestHook()
@Injectable()
export class AuditHttpHook implements RequestHookHandler {
  constructor(private readonly audit: AuditTrail) {}

  // What the guards and the body parser found is read once the response is finished.
  onRequest(request: FastifyRequest, reply: FastifyReply): void {
    if (!WRITE_METHODS.has(request.method) || isMcpRoute(routeTemplateOf(request))) return;
    const started = process.hrtime.bigint();
    reply.raw.once('finish', () => this.recordWrite(request, reply, started));
  }

  private recordWrite(request: FastifyRequest, reply: FastifyReply, started: bigint): void {
    const principal = principalOf(request);
    if (!principal) return;
    const routePath = routeTemplateOf(request);
    const status = reply.raw.statusCode;
    this.audit.record({
      tenantId: principal.tenantId,
      occurredAt: new Date(),
      subject: principal.subject,
      clientId: principal.clientId,
      tokenId: principal.tokenId,
      channel: 'rest',
      kind: 'http',
      name: `${request.method} ${routePath ?? '(unmatched)'}`,
      argsDigest: digestArguments({ params: request.params ?? {}, query: request.query ?? {}, body: request.body ?? null }),
      outcome: outcomeOf(status),
      httpStatus: status,
      latencyMs: Number(process.hrtime.bigint() - started) / 1e6,
      requestId: requestIdOf(reply.raw),
    });
  }
}

function outcomeOf(status: number): AuditOutcome {
  if (status < 400) return 'ok';
  if (status === 401 || status === 403) return 'denied';
  return status >= 500 ? 'error' : 'rejected';
}
