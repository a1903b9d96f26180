import { randomUUID } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import { type CallToolResult, type ContentBlock, ProtocolError, ProtocolErrorCode, type ReadResourceResult, ResourceNotFoundError } from '@modelcontextprotocol/server';
import { isDatabaseUnavailable } from '../common/errors/database-errors.js';
import { DomainError, ValidationError } from '../common/errors/domain-error.js';

/** How a failure is reported: its audit code and the text an agent reads. */
export interface FailureDescription {
  code: string;
  message: string;
}

/**
 * Domain errors keep their contract code and message (an agent can act on "not_found: Account
 * not found"); anything else is an internal error whose details go to the log only.
 */
export function describeFailure(error: unknown, logger: Logger, where: string, requestId?: string): FailureDescription {
  if (error instanceof ValidationError) {
    const issues = (error.details.issues as { path: string; message: string }[] | undefined) ?? [];
    return { code: error.code, message: [error.message, ...issues.map((issue) => `- ${issue.path}: ${issue.message}`)].join('\n') };
  }
  if (error instanceof DomainError) return { code: error.code, message: error.message };
  if (isDatabaseUnavailable(error)) return { code: 'unavailable', message: 'The database is temporarily unavailable; retry later' };
  const errorId = randomUUID();
  logger.error({ errorId, requestId, err: error, where }, 'MCP handler failed');
  return { code: 'internal_error', message: `Internal error (errorId ${errorId})` };
}

/** A tool's domain failure: a result with `isError`, so the model sees and can react to it (MCP tools §Error Handling). */
export function toolErrorResult(failure: FailureDescription): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: `${failure.code}: ${failure.message}` }] };
}

/**
 * A tool's data: structured content (checked against the output schema by the SDK) plus the same JSON
 * as text for older clients — first, so a client reading `content[0]` gets the data — then any extra
 * content derived from it (a chart).
 */
export function toolDataResult(data: unknown, extra: ContentBlock[] = []): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(data) }, ...extra], structuredContent: data as Record<string, unknown> };
}

/** Resource and prompt failures are JSON-RPC errors: not found as the SDK's resource-not-found, the rest as invalid params or internal. */
export function protocolErrorFor(failure: FailureDescription, uri?: string): ProtocolError {
  if (failure.code === 'not_found' && uri !== undefined) return new ResourceNotFoundError(uri, `Resource ${uri} not found`);
  if (failure.code === 'internal_error' || failure.code === 'unavailable') return new ProtocolError(ProtocolErrorCode.InternalError, failure.message);
  return new ProtocolError(ProtocolErrorCode.InvalidParams, `${failure.code}: ${failure.message}`);
}

/** A resource handler's data as MCP contents: JSON text, plain text for `text/*`, or base64 for `{ blob }`. */
export function resourceContents(uri: string, mimeType: string, data: unknown): ReadResourceResult {
  if (data && typeof data === 'object' && typeof (data as { blob?: unknown }).blob === 'string') {
    return { contents: [{ uri, mimeType, blob: (data as { blob: string }).blob }] };
  }
  const text = typeof data === 'string' && mimeType.startsWith('text/') ? data : JSON.stringify(data);
  return { contents: [{ uri, mimeType, text }] };
}
