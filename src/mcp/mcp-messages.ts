import { isJSONRPCRequest, SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCRequest } from '@modelcontextprotocol/server';
import type { Scope } from '../auth/scope.js';
import type { AuditKind } from '../audit/audit.types.js';
import type { McpRegistry } from './mcp-registry.js';

/** A JSON-RPC message that touches a registry item: its scope decides, and it is audited. */
export interface ItemMessage {
  id: string | number | undefined;
  kind: AuditKind;
  /** The registry name, or what the client asked for when no item matches (the SDK then refuses it). */
  name: string;
  args: unknown;
  /** Undefined when no registered item matches: nothing to check, the SDK answers "not found". */
  scope?: Scope;
  audited: boolean;
}

// Methods a pooled server may serve: they leave no state on the server instance.
const STATELESS_METHODS = new Set([
  'tools/list', 'tools/call', 'resources/list', 'resources/templates/list', 'resources/read',
  'prompts/list', 'prompts/get', 'completion/complete', 'ping',
]);
const MAX_AUDITED_NAME = 200;

/** The body as a list of messages (a JSON-RPC batch is an array). */
export function messagesOf(body: unknown): unknown[] {
  return Array.isArray(body) ? body : [body];
}

/** True when every message can be served by a reused server instance. */
export function isStateless(messages: unknown[]): boolean {
  return messages.every((message) => STATELESS_METHODS.has(String((message as { method?: unknown } | null)?.method)));
}

/**
 * The item each message names, from the body the SDK will dispatch (never from the mirrored
 * `Mcp-Name` header): tools/call → tool, resources/read|subscribe|unsubscribe → resource,
 * prompts/get → prompt. Every element of a batch is looked at.
 */
export function itemMessages(registry: McpRegistry, messages: unknown[]): ItemMessage[] {
  const found: ItemMessage[] = [];
  for (const message of messages) {
    if (!message || typeof message !== 'object') continue;
    const { method, params, id } = message as { method?: unknown; params?: Record<string, unknown>; id?: unknown };
    const messageId = typeof id === 'string' || typeof id === 'number' ? id : undefined;
    const name = typeof params?.name === 'string' ? params.name : undefined;
    const uri = typeof params?.uri === 'string' ? params.uri : undefined;
    if (method === 'tools/call') {
      const tool = name === undefined ? undefined : registry.tools.get(name);
      found.push({ id: messageId, kind: 'tool', name: tool?.name ?? clip(name), args: params?.arguments, scope: tool?.scope, audited: true });
    } else if (method === 'prompts/get') {
      const prompt = name === undefined ? undefined : registry.prompts.get(name);
      found.push({ id: messageId, kind: 'prompt', name: prompt?.name ?? clip(name), args: params?.arguments, scope: prompt?.scope, audited: true });
    } else if (method === 'resources/read' || method === 'resources/subscribe' || method === 'resources/unsubscribe') {
      const match = uri === undefined ? undefined : registry.resourceFor(uri);
      const audited = method === 'resources/read';
      found.push({ id: messageId, kind: 'resource', name: match?.entry.name ?? clip(uri), args: { uri }, scope: match?.entry.scope, audited });
    }
  }
  return found;
}

function clip(value: string | undefined): string {
  return value === undefined || value.length === 0 ? '(none)' : value.slice(0, MAX_AUDITED_NAME);
}

/**
 * True when the answer may carry messages before the result, so it must be an SSE stream: the
 * caller asked for progress (`_meta.progressToken`), or a raw tool is called (the fixtures log and
 * report progress). Data tools, resources, prompts and lists answer with one JSON body, which
 * costs the SDK about half as much as framing it as a stream.
 */
export function needsStream(registry: McpRegistry, messages: unknown[]): boolean {
  return messages.some((message) => {
    const { method, params } = (message ?? {}) as { method?: unknown; params?: { name?: unknown; _meta?: { progressToken?: unknown } } };
    if (params?._meta?.progressToken !== undefined) return true;
    if (method !== 'tools/call' || typeof params?.name !== 'string') return false;
    const tool = registry.tools.get(params.name);
    return tool !== undefined && tool.options.output === undefined;
  });
}

/**
 * The request when a 2025-era body can take the direct exchange (McpDirectExchange): one
 * well-formed JSON-RPC request to a stateless method, answered with one JSON body, from a client
 * whose headers the Streamable HTTP transport would accept (Accept naming both media types, a
 * supported `MCP-Protocol-Version` or none). Anything else — batches, notifications,
 * `initialize`, streamed answers, malformed messages, unacceptable headers — goes through the
 * SDK's transport, which owns those answers (406, 400, -32700, 202, SSE).
 */
export function directRequestOf(registry: McpRegistry, body: unknown, headers: DirectHeaders): JSONRPCRequest | undefined {
  if (!answersDirectly(headers)) return undefined;
  if (Array.isArray(body) || !isStateless([body]) || needsStream(registry, [body])) return undefined;
  return isJSONRPCRequest(body) ? body : undefined;
}

export interface DirectHeaders {
  accept: string | undefined;
  protocolVersion: string | undefined;
}

/** Headers the Streamable HTTP transport would accept for one JSON answer: Accept naming both media types, a supported `MCP-Protocol-Version` or none. */
export function answersDirectly({ accept, protocolVersion }: DirectHeaders): boolean {
  if (!accept?.includes('application/json') || !accept.includes('text/event-stream')) return false;
  return protocolVersion === undefined || SUPPORTED_PROTOCOL_VERSIONS.includes(protocolVersion);
}

// The first revision of the 2026 era (per-request `_meta` envelope); the SDK's own test is not exported.
const FIRST_MODERN_VERSION = '2026-07-28';

/** True when the header names a 2026-era revision (the SDK then requires the per-request envelope). */
export function isModernVersion(protocolVersion: string | undefined): boolean {
  return protocolVersion !== undefined && protocolVersion >= FIRST_MODERN_VERSION;
}
