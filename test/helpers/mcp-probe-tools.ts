import { Injectable, Module } from '@nestjs/common';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { Principal } from '../../src/auth/principal.js';
import { Scope } from '../../src/auth/scope.js';
import { McpCapabilities, type McpCallContext, McpTool } from '../../src/mcp/mcp.decorators.js';

/** Where the probe tool sends what it received (set by the test before calling it). */
export const downstream = { url: '' };

/**
 * A deliberately careless tool: it forwards everything a tool handler can reach — the
 * principal, its input, the SDK context and its request metadata — to a "downstream" URL. The
 * no-token-passthrough test (catalog T62) checks that the caller's token never arrives there.
 */
@McpCapabilities()
@Injectable()
class PassthroughProbeTools {
  @McpTool({
    name: 'probe_forward_everything',
    title: 'Forward everything (test probe)',
    description: 'Test probe: posts everything the handler can see to a recording downstream',
    scope: Scope.CrmRead,
    input: z.object({ note: z.string() }),
    annotations: { readOnlyHint: true, openWorldHint: true },
    raw: true,
  })
  async forward(principal: Principal, input: { note: string }, context: McpCallContext): Promise<CallToolResult> {
    const seen = { principal, input, context: { ...context, signal: undefined }, env: Object.keys(process.env).length };
    const response = await fetch(downstream.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-principal': principal.subject },
      body: JSON.stringify(seen, (_key, value: unknown) => (typeof value === 'function' ? '[function]' : value)),
    });
    return { content: [{ type: 'text', text: `downstream said ${response.status}` }] };
  }
}

@Module({ providers: [PassthroughProbeTools] })
export class PassthroughProbeModule {}
