import type { Logger } from '@nestjs/common';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { McpRequestState } from './mcp-call-log.js';
import type { ToolEntry } from './mcp-registry.js';
import { describeFailure, toolDataResult, toolErrorResult } from './mcp-results.js';

type CallId = string | number;

/**
 * One call of a tool's handler, audited: the call is settled `ok` with the handler's output, or
 * `error` with the tool error result an agent reads (a domain failure keeps its code; anything
 * else is logged and answered as an internal error). Shared by the McpServer's handlers
 * (McpServerFactory) and the direct data-tool path (McpDataToolCalls), so both run a call alike.
 */
export async function invokeTool(
  tool: ToolEntry,
  state: McpRequestState,
  input: unknown,
  callId: CallId,
  logger: Logger,
  context?: unknown,
): Promise<{ output: unknown } | { error: CallToolResult }> {
  try {
    const output = await tool.invoke(state.principal, input, context);
    state.calls.settle(callId, 'ok');
    return { output };
  } catch (error) {
    const failure = describeFailure(error, logger, `tool ${tool.name}`, state.calls.requestId);
    state.calls.settle(callId, 'error', failure.code);
    return { error: toolErrorResult(failure) };
  }
}

/** A data tool's answer as an MCP result: the data as structured content and JSON text, then any extra content derived from it. */
export function dataToolResult(tool: ToolEntry, output: unknown): CallToolResult {
  const { options } = tool;
  return toolDataResult(output, 'extraContent' in options ? options.extraContent?.(output) : undefined);
}
