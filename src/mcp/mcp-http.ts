import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/server';

/**
 * The MCP transport speaks Node's request and response (the SDK's NodeStreamableHTTPServerTransport
 * takes them): the controller hands over Fastify's `raw` objects, with the parsed body on the request.
 */
export type McpHttpRequest = IncomingMessage & { body?: unknown; auth?: AuthInfo };

/** `/mcp` and everything under it (the RPC twins), by the route template the router matched (undefined: none) — however the client spelled the path. */
export function isMcpRoute(template: string | undefined): boolean {
  return template !== undefined && (template === '/mcp' || template.startsWith('/mcp/'));
}

/** A single-valued request header (a repeated one counts as absent: the SDK then decides). */
export function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** A JSON-RPC error answer outside any exchange (`id: null`), with its HTTP status. */
export function jsonRpcError(response: ServerResponse, status: number, code: number, message: string, data?: unknown): void {
  if (status === 405) response.setHeader('Allow', 'POST');
  const body = { jsonrpc: '2.0', error: { code, message, ...(data === undefined ? {} : { data }) }, id: null };
  sendJson(response, status, body, 'application/json; charset=utf-8');
}

/**
 * A JSON answer written straight to Node's response (no framework serialization on the hot path);
 * `end()` with the whole body sets its Content-Length.
 */
export function sendJson(response: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  response.statusCode = status;
  response.setHeader('Content-Type', contentType);
  response.end(JSON.stringify(body));
}

/** A JSON body already encoded, in parts (no copy into one buffer): written at once with its Content-Length. */
export function sendJsonParts(response: ServerResponse, status: number, parts: Buffer[]): void {
  response.statusCode = status;
  response.setHeader('Content-Type', 'application/json');
  response.setHeader('Content-Length', parts.reduce((length, part) => length + part.length, 0));
  response.cork();
  for (const part of parts.slice(0, -1)) response.write(part);
  response.end(parts.at(-1));
}

/**
 * Removes the bearer token from the request before the MCP SDK sees it: the SDK hands the Web
 * `Request` (headers included) to handlers, and nothing downstream of authentication has any use
 * for the caller's token — so no handler can forward it (no token passthrough). Returns the request.
 */
export function dropCredentials<R extends IncomingMessage>(request: R): R {
  delete request.headers.authorization;
  const raw = request.rawHeaders;
  for (let index = raw.length - 2; index >= 0; index -= 2) {
    if (raw[index].length === 13 && raw[index].toLowerCase() === 'authorization') raw.splice(index, 2);
  }
  return request;
}
