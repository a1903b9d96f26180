import { Injectable, Logger } from '@nestjs/common';
import type { JSONRPCRequest } from '@modelcontextprotocol/server';
import { answersDirectly, type DirectHeaders, isModernVersion } from './mcp-messages.js';
import type { McpRequestState } from './mcp-call-log.js';
import { McpRegistry, type ToolEntry } from './mcp-registry.js';
import type { PermittedSet } from './mcp-server-pool.js';
import { dataToolResult, invokeTool } from './mcp-tool-call.js';

const CLOSE = Buffer.from('}');

/** A call the direct path takes: the tool and its parsed input. */
export interface DataToolCall {
  id: JSONRPCRequest['id'];
  tool: ToolEntry;
  input: unknown;
}

/**
 * `tools/call` of a data tool (one with an output schema: principal and input in, data out),
 * answered without the SDK's protocol layer: the bytes of a whole JSON-RPC response.
 *
 * Why: for a read the tenant cache answers, the SDK's per-call machinery (the request, result and
 * response checked against its protocol schemas, the context and abort signal built for the
 * handler, the structured content checked against the output schema on every call, the result
 * serialized twice over) was half of the CPU of the call (`npm run bench -- --only d --profile`).
 *
 * What it does is what McpServer's `tools/call` does (SDK 2.4): the tool's input schema parses the
 * arguments; the handler runs (`invokeTool`, the same function the McpServer's handler runs);
 * the output is checked against the tool's output schema (a failure is a tool error result with
 * the SDK's text); the result is the same `dataToolResult`. A frozen answer — the tenant read
 * cache's, shared by every caller until the data changes — is checked, serialized and encoded once.
 *
 * `accept` returns undefined — the SDK answers — for everything it might answer differently:
 * anything but one JSON-RPC request with headers the transport takes, params other than `name`
 * and `arguments` (`_meta`, `task`), arguments that are not an object, a tool that is not a data
 * tool or not in the caller's set, arguments the input schema refuses (the SDK's error text).
 * Compared with the SDK's own answers in test/e2e/mcp-data-tool-calls.e2e.spec.ts.
 */
@Injectable()
export class McpDataToolCalls {
  private readonly logger = new Logger('Mcp');
  /** Result JSON of frozen answers already checked against their tool's output schema. */
  private readonly checkedResults = new WeakMap<object, Buffer>();

  constructor(private readonly registry: McpRegistry) {}

  /**
   * The call, when the body is a plain 2025-era `tools/call` of a data tool the caller may use,
   * with arguments its input schema takes; otherwise undefined (the SDK answers). Such a body is
   * a legacy-era request by the SDK's own rules (classifyInboundRequest: a JSON-RPC request with no
   * `_meta` envelope and no 2026-07-28 header), so the SDK's classifier need not be asked.
   */
  accept(body: unknown, headers: DirectHeaders, set: PermittedSet): DataToolCall | undefined {
    if (!isPlainToolCall(body) || !answersDirectly(headers) || isModernVersion(headers.protocolVersion)) return undefined;
    const { name, arguments: args = {} } = body.params;
    const tool = this.registry.tools.get(name);
    if (!tool || tool.options.output === undefined || !set.scopes.has(tool.scope)) return undefined;
    // Without an input schema the SDK ignores the arguments, and the handler gets `{}` (McpServerFactory).
    if (!tool.options.input) return { id: body.id, tool, input: {} };
    const parsed = tool.options.input.safeParse(args);
    return parsed.success ? { id: body.id, tool, input: parsed.data } : undefined;
  }

  /** Runs the call (audited like any other) and returns the JSON-RPC response, encoded, in parts. */
  async respond(call: DataToolCall, state: McpRequestState): Promise<Buffer[]> {
    const { id, tool } = call;
    const outcome = await invokeTool(tool, state, call.input, id, this.logger);
    const result = 'error' in outcome ? Buffer.from(JSON.stringify(outcome.error)) : this.resultJson(tool, outcome.output);
    return [Buffer.from(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":`), result, CLOSE];
  }

  /** The result's JSON, UTF-8 encoded: a frozen answer's is kept (its text is final) and reused. */
  private resultJson(tool: ToolEntry, output: unknown): Buffer {
    const frozen = output !== null && typeof output === 'object' && Object.isFrozen(output);
    const known = frozen ? this.checkedResults.get(output) : undefined;
    if (known !== undefined) return known;
    const issues = outputIssues(tool, output);
    if (issues) {
      this.logger.error({ tool: tool.name, issues }, 'tool output does not match its output schema');
      // The SDK's answer to the same output (McpServer.validateToolOutput, then createToolError).
      return Buffer.from(JSON.stringify({ content: [{ type: 'text', text: `Output validation error: ${issues}` }], isError: true }));
    }
    const json = Buffer.from(JSON.stringify(dataToolResult(tool, output)));
    if (frozen) this.checkedResults.set(output, json);
    return json;
  }
}

/** What the SDK says of an output that does not fit the tool's output schema (McpServer.validateToolOutput), or undefined. */
function outputIssues(tool: ToolEntry, output: unknown): string | undefined {
  if (output === undefined) return `Tool ${tool.name} has an output schema but no structured content was provided`;
  const checked = tool.options.output!.safeParse(output);
  if (checked.success) return undefined;
  const issues = checked.error.issues.map((issue) => (issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message));
  return `Invalid structured content for tool ${tool.name}: ${issues.join(', ')}`;
}

interface PlainToolCall {
  jsonrpc: '2.0';
  id: string | number;
  method: 'tools/call';
  params: { name: string; arguments?: Record<string, unknown> };
}

/** A JSON-RPC request (the SDK's schema: string or integer id, no other members) calling a tool by name, with nothing in params but `name` and `arguments`. */
function isPlainToolCall(body: unknown): body is PlainToolCall {
  if (!isPlainObject(body) || !hasOnlyKeys(body, REQUEST_KEYS)) return false;
  const { jsonrpc, id, method, params } = body;
  if (jsonrpc !== '2.0' || method !== 'tools/call' || !(typeof id === 'string' || Number.isSafeInteger(id))) return false;
  if (!isPlainObject(params) || !hasOnlyKeys(params, PARAMS_KEYS) || typeof params.name !== 'string') return false;
  return params.arguments === undefined || isPlainObject(params.arguments);
}

const REQUEST_KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);
const PARAMS_KEYS = new Set(['name', 'arguments']);

function hasOnlyKeys(value: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const key in value) if (!allowed.has(key)) return false;
  return true;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
