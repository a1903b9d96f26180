import { Inject, Injectable, Logger } from '@nestjs/common';
import { MetricsService } from '../observability/metrics.service.js';
import { classifyInboundRequest, createMcpHandler, isJsonContentType, type AuthInfo, type JSONRPCRequest } from '@modelcontextprotocol/server';
import { NodeStreamableHTTPServerTransport, toNodeHandler } from '@modelcontextprotocol/node';
import type { ServerResponse } from 'node:http';
import { AuthError } from '../auth/auth.errors.js';
import type { Principal } from '../auth/principal.js';
import { missingScopes } from '../auth/scope.js';
import { resourceMetadataUrl } from '../auth/token-claims.js';
import { AuditTrail } from '../audit/audit-trail.service.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { authInfoFor, McpCallLog, requestStateFromAuthInfo } from './mcp-call-log.js';
import { directRequestOf, isStateless, itemMessages, messagesOf, needsStream } from './mcp-messages.js';
import { McpRegistry } from './mcp-registry.js';
import { McpServerPool, type PermittedSet } from './mcp-server-pool.js';
import { requestIdOf } from '../common/logging/request-id.js';
import { dropCredentials, headerValue, jsonRpcError, type McpHttpRequest, sendJson, sendJsonParts } from './mcp-http.js';
import { McpDataToolCalls } from './mcp-data-tool-calls.js';

// What classifyInboundRequest answers for a plain 2025-era request (McpDataToolCalls.accept).
const LEGACY_REQUEST = { kind: 'legacy' } as const;

/**
 * Serves `POST /mcp` after the global guard has authenticated the caller:
 * 1. JSON-RPC shape and era (2025 stateless vs 2026-07-28 per-request envelope), by the SDK's own
 *    classifier — except for a plain data-tool call, legacy-era by its rules (McpDataToolCalls.accept);
 * 2. the scope of every message (batches included) → 403 `insufficient_scope` naming needed + held scopes;
 * 3. the principal attached as SDK `authInfo`, and the bearer token removed from the request
 *    wherever the SDK is handed the request (the direct paths hand it the message alone);
 * 4. dispatch: a plain 2025-era call (one request, stateless method, one JSON answer) of a data
 *    tool straight to the tool (McpDataToolCalls), any other such call to a pooled server through
 *    its direct exchange; other 2025-era bodies to a pooled McpServer over a fresh
 *    stateless Streamable HTTP transport (one JSON body unless the answer may stream); 2026-07-28
 *    messages to the SDK's `createMcpHandler` (modern only, which streams only when a handler
 *    emits something).
 * No session is ever created: any instance can serve any request (no sticky sessions).
 */
@Injectable()
export class McpGateway {
  private readonly logger = new Logger('Mcp');
  private readonly metadataUrl: string;
  private readonly serveModern: ReturnType<typeof toNodeHandler>;

  constructor(
    private readonly registry: McpRegistry,
    private readonly pool: McpServerPool,
    private readonly dataTools: McpDataToolCalls,
    private readonly audit: AuditTrail,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    this.metadataUrl = resourceMetadataUrl(config.publicUrl, '/mcp');
    const modern = createMcpHandler((context) => this.pool.fresh(this.pool.permittedFor(requestStateFromAuthInfo(context.authInfo).principal.scopes)), {
      legacy: 'reject',
      onerror: (error) => this.logger.debug(`MCP (2026-07-28): ${error.message}`),
    });
    this.serveModern = toNodeHandler(modern, { onerror: (error) => this.logger.error({ err: error }, 'MCP handler failed') });
  }

  async post(request: McpHttpRequest, response: ServerResponse, principal: Principal): Promise<void> {
    if (!isJsonContentType(headerValue(request, 'content-type') ?? null)) {
      return jsonRpcError(response, 415, -32000, 'Unsupported Media Type: Content-Type must be application/json');
    }
    const body: unknown = request.body;
    const headers = { accept: headerValue(request, 'accept'), protocolVersion: headerValue(request, 'mcp-protocol-version') };
    const set = this.pool.permittedFor(principal.scopes);
    const dataToolCall = this.dataTools.accept(body, headers, set);
    const route = dataToolCall
      ? LEGACY_REQUEST
      : classifyInboundRequest({
          httpMethod: 'POST',
          protocolVersionHeader: headers.protocolVersion,
          mcpMethodHeader: headerValue(request, 'mcp-method'),
          mcpNameHeader: headerValue(request, 'mcp-name'),
          body,
        });
    if (route.kind === 'reject') return jsonRpcError(response, route.httpStatus, route.code, route.message, route.data);

    const messages = messagesOf(body);
    const calls = this.authorize(principal, messages, requestIdOf(response));
    response.once('close', () => calls.finish());
    const state = { principal, calls };
    const authInfo = authInfoFor(state);
    request.auth = authInfo;
    const direct = !dataToolCall && route.kind === 'legacy' ? directRequestOf(this.registry, body, headers) : undefined;
    try {
      if (dataToolCall) sendJsonParts(response, 200, await this.dataTools.respond(dataToolCall, state));
      else if (direct) await this.serveDirect(response, direct, set, authInfo);
      else if (route.kind === 'modern') await this.serveModern(dropCredentials(request), response, body);
      else await this.serveLegacy(dropCredentials(request), response, body, set, { stateless: isStateless(messages), stream: needsStream(this.registry, messages) });
    } catch (error) {
      this.logger.error({ err: error }, 'MCP transport failed');
      if (!response.headersSent) jsonRpcError(response, 500, -32603, 'Internal error');
      else response.end();
    }
  }

  /** The scope check, before anything runs: all or nothing for a batch. */
  private authorize(principal: Principal, messages: unknown[], requestId: string | undefined): McpCallLog {
    const items = itemMessages(this.registry, messages);
    const calls = new McpCallLog(this.audit, principal, 'mcp', requestId, this.metrics);
    for (const item of items) if (item.audited) calls.begin(item.id, item.kind, item.name, item.args, item.scope !== undefined);
    const required = [...new Set(items.flatMap((item) => (item.scope ? [item.scope] : [])))];
    const missing = missingScopes(principal.scopes, required);
    if (missing.length > 0) {
      calls.denyAll('insufficient_scope');
      calls.finish();
      this.metrics.recordAuthFailure('insufficient_scope');
      throw AuthError.insufficientScope(this.metadataUrl, missing, principal.scopes);
    }
    return calls;
  }

  private async serveDirect(response: ServerResponse, message: JSONRPCRequest, set: PermittedSet, authInfo: AuthInfo): Promise<void> {
    const exchange = await this.pool.acquireExchange(set);
    try {
      sendJson(response, 200, await exchange.call(message, authInfo));
    } finally {
      this.pool.releaseExchange(set, exchange);
    }
  }

  private async serveLegacy(request: McpHttpRequest, response: ServerResponse, body: unknown, set: PermittedSet, mode: { stateless: boolean; stream: boolean }): Promise<void> {
    const { stateless } = mode;
    const server = stateless ? this.pool.acquire(set) : this.pool.fresh(set);
    const transport = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: !mode.stream });
    await server.connect(transport);
    response.once('close', () => {
      server
        .close()
        .then(() => stateless && this.pool.release(set, server))
        .catch((error: unknown) => this.logger.warn({ err: error }, 'MCP server did not close cleanly'));
    });
    await transport.handleRequest(request, response, body);
  }
}
