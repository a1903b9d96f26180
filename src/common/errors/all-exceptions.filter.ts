import { randomUUID } from 'node:crypto';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import { type AnyRequest, pathOf } from '../http/fastify-request.js';
import { isDatabaseUnavailable } from './database-errors.js';
import { requestIdOf } from '../logging/request-id.js';
import { DomainError, ERROR_STATUS, type ErrorCode } from './domain-error.js';

const DATABASE_RETRY_AFTER_SECONDS = 5;
/**
 * Endpoints that speak JSON-RPC (MCP Streamable HTTP, src/mcp): a body that is not JSON is a
 * JSON-RPC parse error there (-32700, id null, HTTP 400), which MCP clients know how to read.
 */
const JSON_RPC_PATHS = new Set(['/mcp']);
const JSON_RPC_PARSE_ERROR = { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error: the body is not valid JSON' } };

/**
 * The one place where errors become HTTP responses (CONTRACT.md error table). Domain errors map
 * by code; Nest/Fastify HTTP errors keep their status with a contract-shaped body; a vanished
 * database is 503; anything else is a 500 with an errorId — the stack goes to the log only.
 * It answers on Fastify's reply, or on Node's response when there is none to use: an error from
 * middleware (which sees Node's objects) or from a handler that hijacked the reply (MCP).
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<FastifyReply | ServerResponse>();
    const request = http.getRequest<AnyRequest>();
    const raw = isReply(response) ? response.raw : response;
    if (raw.headersSent) {
      raw.end();
      return;
    }
    const { status, body, headers } = this.describe(exception, request, requestIdOf(raw));
    if (isReply(response) && !response.sent) {
      void response.code(status).headers(headers).send(body);
      return;
    }
    const json = JSON.stringify(body);
    raw.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json) });
    raw.end(json);
  }

  private describe(exception: unknown, request: AnyRequest, requestId: string | undefined): { status: number; body: unknown; headers: Record<string, string> } {
    if (exception instanceof DomainError) {
      return { status: exception.status, body: exception.toBody(), headers: exception.headers };
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn({ requestId }, `database unavailable on ${request.method} ${pathOf(request)}: ${(exception as Error).message}`);
      return {
        status: ERROR_STATUS.unavailable,
        body: { error: 'unavailable', message: 'The database is temporarily unavailable; retry later' },
        headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
      };
    }
    const bodyParserError = describeBodyParserError(exception);
    if (bodyParserError?.status === 400 && JSON_RPC_PATHS.has(pathOf(request))) return { status: 400, body: JSON_RPC_PARSE_ERROR, headers: {} };
    if (bodyParserError) return { ...bodyParserError, headers: {} };
    if (exception instanceof HttpException && exception.getStatus() === 503) {
      // Readiness (terminus) reports its per-dependency details this way.
      const details = exception.getResponse();
      return {
        status: 503,
        body: { error: 'unavailable', message: 'Service unavailable', ...(typeof details === 'object' ? { details } : {}) },
        headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
      };
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      const status = exception.getStatus();
      return { status, body: { error: codeForStatus(status), message: exception.message }, headers: {} };
    }
    const errorId = randomUUID();
    this.logger.error({ errorId, requestId, err: exception, path: pathOf(request), method: request.method }, 'unhandled error');
    return { status: 500, body: { error: 'internal_error', message: 'Internal server error', errorId }, headers: {} };
  }
}

function isReply(response: FastifyReply | ServerResponse): response is FastifyReply {
  return 'raw' in response;
}

function describeBodyParserError(exception: unknown): { status: number; body: unknown } | undefined {
  // Nest wraps the body parser's errors (common/http/json-body.ts) in an HttpException whose cause carries their `type`.
  const candidate = exception as { type?: unknown; cause?: { type?: unknown } } | undefined;
  const type = candidate?.type ?? candidate?.cause?.type;
  if (type === 'entity.too.large') {
    return { status: 413, body: { error: 'payload_too_large', message: 'Request body exceeds the 1 MB limit' } };
  }
  if (type === 'entity.parse.failed') {
    return {
      status: 400,
      body: { error: 'validation_error', message: 'Malformed JSON body', issues: [{ path: 'body', message: 'is not valid JSON' }] },
    };
  }
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') {
    return { status: 415, body: { error: 'unsupported_media_type', message: 'Unsupported body encoding' } };
  }
  return undefined;
}

function codeForStatus(status: number): ErrorCode | string {
  const known = Object.entries(ERROR_STATUS).find(([code, value]) => value === status && code !== 'invalid_request');
  if (status === 400) return 'validation_error';
  if (status === 405) return 'method_not_allowed';
  if (status === 415) return 'unsupported_media_type';
  return known ? known[0] : 'error';
}
