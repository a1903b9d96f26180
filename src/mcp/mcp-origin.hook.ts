import { Inject, Injectable } from '@nestjs/common';
import { localhostAllowedHostnames, validateHostHeader } from '@modelcontextprotocol/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { routeTemplateOf } from '../common/http/fastify-request.js';
import { RequestHook, type RequestHookHandler } from '../common/http/request-hook.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { isMcpRoute, jsonRpcError } from './mcp-http.js';

const MAX_REMEMBERED_HOSTS = 64;
const LOOPBACK_BIND = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/;

/**
 * Browser-facing transport safety for `/mcp` and its RPC twins, before authentication:
 * - `Origin`, when present, must be an allowed origin exactly (MCP_ALLOWED_ORIGINS plus the
 *   server's own PUBLIC_URL origin); anything else, `null` included, is 403. Absent → allowed
 *   (non-browser clients send none).
 * - `Host`, when the server is bound to a loopback address, must name localhost, 127.0.0.1, [::1]
 *   or PUBLIC_URL's host: a DNS-rebinding page reaches a local server under its own host name.
 */
@RequestHook()
@Injectable()
export class McpOriginHook implements RequestHookHandler {
  private readonly allowedOrigins: Set<string>;
  private readonly allowedHosts?: string[];
  private readonly hostVerdicts = new Map<string, boolean>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const publicUrl = new URL(config.publicUrl);
    this.allowedOrigins = new Set([publicUrl.origin, ...config.mcp.allowedOrigins.map((origin) => normalizeOrigin(origin) ?? origin)]);
    if (LOOPBACK_BIND.test(config.host)) this.allowedHosts = [...new Set([...localhostAllowedHostnames(), publicUrl.hostname])];
  }

  onRequest(request: FastifyRequest, reply: FastifyReply): void | FastifyReply {
    if (!isMcpRoute(routeTemplateOf(request))) return;
    if (this.allowedHosts && !this.hostAllowed(request.headers.host)) return forbidden(reply, 'Forbidden: Host not allowed');
    const origin = request.headers.origin;
    if (origin !== undefined && !this.allowedOrigins.has(origin)) return forbidden(reply, 'Forbidden: Origin not allowed');
  }

  /** The SDK's Host check (it parses a URL), remembered for the few Host values a server sees; bounded against a client inventing new ones. */
  private hostAllowed(host: string | undefined): boolean {
    if (host === undefined) return validateHostHeader(host, this.allowedHosts!).ok;
    let allowed = this.hostVerdicts.get(host);
    if (allowed === undefined) {
      allowed = validateHostHeader(host, this.allowedHosts!).ok;
      if (this.hostVerdicts.size >= MAX_REMEMBERED_HOSTS) this.hostVerdicts.clear();
      this.hostVerdicts.set(host, allowed);
    }
    return allowed;
  }
}

/** The JSON-RPC error the SDK's own transport answers these with, written on Node's response as the MCP controller writes its answers. */
function forbidden(reply: FastifyReply, message: string): FastifyReply {
  jsonRpcError(reply.hijack().raw, 403, -32000, message);
  return reply;
}

/** The ASCII serialization of an origin (`https://app.example.com`), or undefined for `null`/garbage/non-http(s). */
function normalizeOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}
