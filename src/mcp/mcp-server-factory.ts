import { Injectable, Logger } from '@nestjs/common';
import { McpServer, ResourceTemplate, type ServerContext } from '@modelcontextprotocol/server';
import type { Scope } from '../auth/scope.js';
import { requestStateOf } from './mcp-call-log.js';
import { McpRegistry, type PromptEntry, type ResourceEntry, type ToolEntry } from './mcp-registry.js';
import { describeFailure, protocolErrorFor, resourceContents } from './mcp-results.js';
import { dataToolResult, invokeTool } from './mcp-tool-call.js';

export const SERVER_INFO = { name: 'sales-analytics-mcp', title: 'Sales Analytics', version: '0.1.0' };
const INSTRUCTIONS =
  'Sales analytics and CRM data of one tenant (the one your token names). You see only the tools, resources and prompts ' +
  'your token’s scopes allow; a call outside them is answered HTTP 403 with the scopes to ask for. Tool failures of the ' +
  'domain (not_found, validation_error, conflict) come back as results with isError and a code you can act on.';

/**
 * Builds McpServer instances holding exactly the items a set of scopes permits — so `tools/list`,
 * `resources/templates/list` and `prompts/list` are filtered by construction, and an item outside
 * the set does not exist for that caller. The handlers are adapters: they take the principal from
 * the request state, call the feature's method, and map its outcome (see mcp-results.ts).
 */
@Injectable()
export class McpServerFactory {
  private readonly logger = new Logger('Mcp');

  constructor(private readonly registry: McpRegistry) {}

  build(permitted: ReadonlySet<Scope>): McpServer {
    const server = new McpServer(SERVER_INFO, {
      // Declared up front so that list methods answer `[]` rather than "method not found" to a caller permitted nothing.
      capabilities: { tools: {}, resources: {}, prompts: {} },
      instructions: INSTRUCTIONS,
    });
    for (const tool of this.registry.tools.values()) if (permitted.has(tool.scope)) this.addTool(server, tool);
    for (const resource of this.registry.resources) if (permitted.has(resource.scope)) this.addResource(server, resource);
    for (const prompt of this.registry.prompts.values()) if (permitted.has(prompt.scope)) this.addPrompt(server, prompt);
    for (const extension of this.registry.extensions) extension.extendMcpServer(server);
    return server;
  }

  private addTool(server: McpServer, tool: ToolEntry): void {
    const { options } = tool;
    const run = async (input: unknown, context: ServerContext) => {
      const outcome = await invokeTool(tool, requestStateOf(context), input, context.mcpReq.id, this.logger, context.mcpReq);
      if ('error' in outcome) return outcome.error;
      return options.output === undefined ? outcome.output : dataToolResult(tool, outcome.output);
    };
    const config = {
      title: options.title,
      description: options.description,
      inputSchema: options.input,
      outputSchema: options.output,
      annotations: { title: options.title, ...options.annotations },
    };
    // Without an input schema the SDK calls the handler with the context only.
    const handler = options.input ? (input: unknown, context: ServerContext) => run(input, context) : (context: ServerContext) => run({}, context);
    server.registerTool(tool.name, config as Parameters<McpServer['registerTool']>[1], handler as never);
  }

  private addResource(server: McpServer, resource: ResourceEntry): void {
    const { options } = resource;
    const read = async (uri: URL, variables: Record<string, string | string[]>, context: ServerContext) => {
      const state = requestStateOf(context);
      const parsed = options.params.safeParse(variables);
      if (!parsed.success) throw protocolErrorFor({ code: 'validation_error', message: `Invalid URI ${uri.href}` });
      try {
        const data = await resource.invoke(state.principal, parsed.data, uri.href);
        state.calls.settle(context.mcpReq.id, 'ok');
        return resourceContents(uri.href, options.mimeType, data);
      } catch (error) {
        const failure = describeFailure(error, this.logger, `resource ${resource.name}`);
        state.calls.settle(context.mcpReq.id, 'error', failure.code);
        throw protocolErrorFor(failure, uri.href);
      }
    };
    const metadata = { title: options.title, description: options.description, mimeType: options.mimeType };
    if (resource.template) {
      const template = new ResourceTemplate(resource.template, { list: undefined });
      server.registerResource(resource.name, template, metadata, (uri, variables, context) => read(uri, variables, context));
    } else {
      server.registerResource(resource.name, options.uri, metadata, (uri, context) => read(uri, {}, context));
    }
  }

  private addPrompt(server: McpServer, prompt: PromptEntry): void {
    const { options } = prompt;
    const get = async (args: unknown, context: ServerContext) => {
      const state = requestStateOf(context);
      try {
        const result = await prompt.invoke(state.principal, args);
        state.calls.settle(context.mcpReq.id, 'ok');
        return result as never;
      } catch (error) {
        const failure = describeFailure(error, this.logger, `prompt ${prompt.name}`);
        state.calls.settle(context.mcpReq.id, 'error', failure.code);
        throw protocolErrorFor(failure);
      }
    };
    const config = { title: options.title, description: options.description, argsSchema: options.args };
    const handler = options.args ? (args: unknown, context: ServerContext) => get(args, context) : (context: ServerContext) => get({}, context);
    server.registerPrompt(prompt.name, config as Parameters<McpServer['registerPrompt']>[1], handler as never);
  }
}
