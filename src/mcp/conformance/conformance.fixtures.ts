import { Injectable } from '@nestjs/common';
import { completable, type CallToolResult, type McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { Principal } from '../../auth/principal.js';
import { Scope } from '../../auth/scope.js';
import { McpCapabilities, type McpCallContext, McpPrompt, McpResource, McpTool } from '../mcp.decorators.js';
import type { McpServerExtension } from '../mcp-registry.js';

// The items the official conformance suite (@modelcontextprotocol/conformance 0.1.16) calls by
// name (MCP-CONFORMANCE.md §1.3). Registered only with MCP_CONFORMANCE_FIXTURES=1, through the
// same registry, scope checks and audit as the product's items. Payloads follow the suite's
// reference server (examples/servers/typescript/everything-server.ts).
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
const WAV = 'UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=';
const SCOPE = Scope.SalesDataRead;
const READ_ONLY = { readOnlyHint: true, openWorldHint: false } as const;
// Served statelessly, a client's answer to a server→client request cannot reach the waiting call
// (test/conformance/expected-failures.yml): fail after a few seconds instead of the SDK's minute.
const CLIENT_REQUEST = { timeout: 3_000 };

const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] });
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
type NoInput = Record<string, never>;

@McpCapabilities()
@Injectable()
export class ConformanceFixtures implements McpServerExtension {
  @McpTool({ name: 'test_simple_text', title: 'Simple text', description: 'Returns a simple text (conformance fixture)', scope: SCOPE, annotations: READ_ONLY, raw: true })
  simpleText() {
    return text('This is a simple text response for testing.');
  }

  @McpTool({ name: 'test_image_content', title: 'Image', description: 'Returns an image (conformance fixture)', scope: SCOPE, annotations: READ_ONLY, raw: true })
  image(): CallToolResult {
    return { content: [{ type: 'image', data: PNG, mimeType: 'image/png' }] };
  }

  @McpTool({ name: 'test_audio_content', title: 'Audio', description: 'Returns audio (conformance fixture)', scope: SCOPE, annotations: READ_ONLY, raw: true })
  audio(): CallToolResult {
    return { content: [{ type: 'audio', data: WAV, mimeType: 'audio/wav' }] };
  }

  @McpTool({ name: 'test_embedded_resource', title: 'Embedded resource', description: 'Returns an embedded resource (conformance fixture)', scope: SCOPE, annotations: READ_ONLY, raw: true })
  embedded(): CallToolResult {
    return { content: [{ type: 'resource', resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' } }] };
  }

  @McpTool({ name: 'test_multiple_content_types', title: 'Mixed content', description: 'Returns text, image and resource (conformance fixture)', scope: SCOPE, annotations: READ_ONLY, raw: true })
  mixed(): CallToolResult {
    return {
      content: [
        { type: 'text', text: 'Multiple content types test:' },
        { type: 'image', data: PNG, mimeType: 'image/png' },
        { type: 'resource', resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: '{"test":"data","value":123}' } },
      ],
    };
  }

  @McpTool({ name: 'test_tool_with_logging', title: 'Logging', description: 'Logs three messages while running (conformance fixture)', scope: SCOPE, annotations: READ_ONLY, raw: true })
  async logging(_principal: Principal, _input: NoInput, context: McpCallContext) {
    for (const message of ['Tool execution started', 'Tool processing data', 'Tool execution completed']) {
      await context.log('info', message);
      await sleep(50);
    }
    return text('Tool with logging executed successfully');
  }

  @McpTool({ name: 'test_tool_with_progress', title: 'Progress', description: 'Reports progress 0/50/100 (conformance fixture)', scope: SCOPE, annotations: READ_ONLY, raw: true })
  async progress(_principal: Principal, _input: NoInput, context: McpCallContext) {
    const progressToken = context._meta?.progressToken ?? 0;
    for (const progress of [0, 50, 100]) {
      await context.notify({ method: 'notifications/progress', params: { progressToken, progress, total: 100, message: `step ${progress}` } });
      await sleep(50);
    }
    return text(String(progressToken));
  }

  @McpTool({ name: 'test_error_handling', title: 'Error', description: 'Always fails (conformance fixture)', scope: SCOPE, annotations: READ_ONLY, raw: true })
  failing(): CallToolResult {
    return { isError: true, content: [{ type: 'text', text: 'This tool intentionally returns an error for testing' }] };
  }

  @McpTool({
    name: 'test_sampling',
    title: 'Sampling',
    description: 'Asks the client for an LLM completion (conformance fixture)',
    scope: SCOPE,
    input: z.object({ prompt: z.string() }),
    annotations: READ_ONLY,
    raw: true,
  })
  async sampling(_principal: Principal, input: { prompt: string }, context: McpCallContext) {
    const result = await context.requestSampling({ messages: [{ role: 'user', content: { type: 'text', text: input.prompt } }], maxTokens: 100 }, CLIENT_REQUEST);
    const content = Array.isArray(result.content) ? result.content[0] : result.content;
    return text(`LLM response: ${content?.type === 'text' ? content.text : 'No response'}`);
  }

  @McpTool({
    name: 'test_elicitation',
    title: 'Elicitation',
    description: 'Asks the user for a username and email (conformance fixture)',
    scope: SCOPE,
    input: z.object({ message: z.string() }),
    annotations: READ_ONLY,
    raw: true,
  })
  async elicitation(_principal: Principal, input: { message: string }, context: McpCallContext) {
    const result = await context.elicitInput({
      mode: 'form',
      message: input.message,
      requestedSchema: {
        type: 'object',
        properties: { username: { type: 'string', description: 'User name' }, email: { type: 'string', description: 'Email' } },
        required: ['username', 'email'],
      },
    }, CLIENT_REQUEST);
    return text(`User response: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`);
  }

  @McpTool({ name: 'test_elicitation_sep1034_defaults', title: 'Elicitation defaults', description: 'Elicitation with defaults (conformance fixture)', scope: SCOPE, annotations: READ_ONLY, raw: true })
  async elicitationDefaults(_principal: Principal, _input: NoInput, context: McpCallContext) {
    const result = await context.elicitInput({
      mode: 'form',
      message: 'Please review and update the form fields with defaults',
      requestedSchema: {
        type: 'object',
        properties: {
          name: { type: 'string', description: 'User name', default: 'John Doe' },
          age: { type: 'integer', description: 'User age', default: 30 },
          score: { type: 'number', description: 'User score', default: 95.5 },
          status: { type: 'string', description: 'User status', enum: ['active', 'inactive', 'pending'], default: 'active' },
          verified: { type: 'boolean', description: 'Verification status', default: true },
        },
        required: [],
      },
    }, CLIENT_REQUEST);
    return text(`Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`);
  }

  @McpTool({ name: 'test_elicitation_sep1330_enums', title: 'Elicitation enums', description: 'Elicitation with enum variants (conformance fixture)', scope: SCOPE, annotations: READ_ONLY, raw: true })
  async elicitationEnums(_principal: Principal, _input: NoInput, context: McpCallContext) {
    const choices = (titles: string[], prefix: string) => titles.map((title, index) => ({ const: `${prefix}${index + 1}`, title }));
    const result = await context.elicitInput({
      mode: 'form',
      message: 'Please select options from the enum fields',
      requestedSchema: {
        type: 'object',
        properties: {
          untitledSingle: { type: 'string', description: 'Select one option', enum: ['option1', 'option2', 'option3'] },
          titledSingle: { type: 'string', description: 'Select one option with titles', oneOf: choices(['First Option', 'Second Option', 'Third Option'], 'value') },
          legacyEnum: { type: 'string', description: 'Select one option (legacy)', enum: ['opt1', 'opt2', 'opt3'], enumNames: ['Option One', 'Option Two', 'Option Three'] },
          untitledMulti: { type: 'array', description: 'Select multiple options', minItems: 1, maxItems: 3, items: { type: 'string', enum: ['option1', 'option2', 'option3'] } },
          titledMulti: {
            type: 'array',
            description: 'Select multiple options with titles',
            minItems: 1,
            maxItems: 3,
            items: { anyOf: choices(['First Choice', 'Second Choice', 'Third Choice'], 'value') },
          },
        },
        required: [],
      },
    }, CLIENT_REQUEST);
    return text(`Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`);
  }

  @McpResource({ name: 'static-text', title: 'Static text', description: 'A static text resource (conformance fixture)', scope: SCOPE, uri: 'test://static-text', mimeType: 'text/plain', params: z.object({}) })
  staticText() {
    return 'This is the content of the static text resource.';
  }

  @McpResource({ name: 'static-binary', title: 'Static binary', description: 'A static PNG (conformance fixture)', scope: SCOPE, uri: 'test://static-binary', mimeType: 'image/png', params: z.object({}) })
  staticBinary() {
    return { blob: PNG };
  }

  @McpResource({
    name: 'template',
    title: 'Template',
    description: 'A templated resource (conformance fixture)',
    scope: SCOPE,
    uri: 'test://template/{id}/data',
    mimeType: 'application/json',
    params: z.object({ id: z.string() }),
  })
  template(_principal: Principal, params: { id: string }) {
    return { id: params.id, templateTest: true, data: `Data for ID: ${params.id}` };
  }

  @McpResource({ name: 'watched-resource', title: 'Watched', description: 'A subscribable resource (conformance fixture)', scope: SCOPE, uri: 'test://watched-resource', mimeType: 'text/plain', params: z.object({}) })
  watched() {
    return 'Watched resource content';
  }

  @McpPrompt({ name: 'test_simple_prompt', title: 'Simple prompt', description: 'A prompt without arguments (conformance fixture)', scope: SCOPE })
  simplePrompt() {
    return { messages: [{ role: 'user' as const, content: { type: 'text' as const, text: 'This is a simple prompt for testing.' } }] };
  }

  @McpPrompt({
    name: 'test_prompt_with_arguments',
    title: 'Prompt with arguments',
    description: 'A prompt with two arguments (conformance fixture)',
    scope: SCOPE,
    args: z.object({
      arg1: completable(z.string().describe('First argument'), (value: string) => ['test', 'testValue1'].filter((candidate) => candidate.startsWith(value))),
      arg2: z.string().describe('Second argument'),
    }),
  })
  promptWithArguments(_principal: Principal, args: { arg1: string; arg2: string }) {
    return { messages: [{ role: 'user' as const, content: { type: 'text' as const, text: `Prompt with arguments: arg1='${args.arg1}', arg2='${args.arg2}'` } }] };
  }

  @McpPrompt({
    name: 'test_prompt_with_embedded_resource',
    title: 'Prompt with a resource',
    description: 'A prompt embedding a resource (conformance fixture)',
    scope: SCOPE,
    args: z.object({ resourceUri: z.string() }),
  })
  promptWithResource(_principal: Principal, args: { resourceUri: string }) {
    return {
      messages: [
        { role: 'user' as const, content: { type: 'resource' as const, resource: { uri: args.resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' } } },
        { role: 'user' as const, content: { type: 'text' as const, text: 'Please process the embedded resource above.' } },
      ],
    };
  }

  @McpPrompt({ name: 'test_prompt_with_image', title: 'Prompt with an image', description: 'A prompt with an image (conformance fixture)', scope: SCOPE })
  promptWithImage() {
    return {
      messages: [
        { role: 'user' as const, content: { type: 'image' as const, data: PNG, mimeType: 'image/png' } },
        { role: 'user' as const, content: { type: 'text' as const, text: 'Please analyze the image above.' } },
      ],
    };
  }

  /** Protocol surface the suite checks that has no data: client logging, subscriptions (acknowledged; a stateless server pushes no updates). */
  extendMcpServer(server: McpServer): void {
    server.server.registerCapabilities({ logging: {}, resources: { subscribe: true } });
    server.server.setRequestHandler('resources/subscribe', async () => ({}));
    server.server.setRequestHandler('resources/unsubscribe', async () => ({}));
  }
}
