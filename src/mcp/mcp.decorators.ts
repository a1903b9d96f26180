import { DiscoveryService } from '@nestjs/core';
import type { CallToolResult, ContentBlock, GetPromptResult, ServerContext } from '@modelcontextprotocol/server';
import type { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import type { Scope } from '../auth/scope.js';

/**
 * How a feature module exposes capabilities to agents: a provider class in `<feature>.tools.ts`,
 * marked `@McpCapabilities()` and listed in the feature module's `providers`, whose methods carry
 * `@McpTool`, `@McpResource` or `@McpPrompt`. The MCP module discovers them at boot; nothing in
 * `src/mcp/` names a feature. Each method is an adapter: one service call, nothing else.
 */
export const McpCapabilities = DiscoveryService.createDecorator<void>();

/** Where the method decorators leave their definitions (on the class, read from its metatype). */
export const MCP_ITEMS = 'mcp:items';

/** The slice of the SDK's request context a handler may use (progress, client logging, sampling). No HTTP request, no token. */
export type McpCallContext = ServerContext['mcpReq'];

export interface McpToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

interface ToolOptionsBase<I extends z.ZodObject | undefined> {
  /** snake_case, prefixed by the feature: `crm_get_account`. */
  name: string;
  title: string;
  description: string;
  /** The one scope a caller needs; it also decides the seed RPC route (`mcp:tools:crm:read` → `/mcp/tools/crm`). */
  scope: Scope;
  /** The same zod schema the REST twin validates with (omit for a tool without arguments). */
  input?: I;
  annotations: McpToolAnnotations;
}

/** A tool returning data: validated against `output`, sent as structured content plus its JSON text, and exposed as a seed RPC method. */
export interface McpDataToolOptions<I extends z.ZodObject | undefined, O extends z.ZodType> extends ToolOptionsBase<I> {
  output: O;
  /**
   * Content to send after the JSON text, derived from the answer (e.g. a chart as an image) — for a
   * person looking at the conversation. MCP only: the RPC twin and REST answer the data alone.
   */
  extraContent?: (output: z.output<O>) => ContentBlock[];
  /** The seed RPC method name; default: the tool name with its first `_` as `/` (`sales_get_forecast` → `sales/get_forecast`). */
  rpcMethod?: string;
}

/** A tool returning raw MCP content (images, audio…): no output schema, no RPC twin. Used by the conformance fixtures. */
export interface McpRawToolOptions<I extends z.ZodObject | undefined> extends ToolOptionsBase<I> {
  output?: undefined;
  raw: true;
}

type InputOf<I extends z.ZodObject | undefined> = I extends z.ZodObject ? z.output<I> : Record<string, never>;
type Awaitable<T> = T | Promise<T>;
/** The decorated method's type, checked covariantly (a method may ignore trailing arguments). */
type HandlerDescriptor<H> = { value?: H };

/** A data tool is a pure adapter: principal and input in, the service's answer out (the same call serves MCP and RPC). */
export type DataToolHandler<I extends z.ZodObject | undefined, O extends z.ZodType> = (principal: Principal, input: InputOf<I>) => Awaitable<z.input<O>>;
export type RawToolHandler<I extends z.ZodObject | undefined> = (principal: Principal, input: InputOf<I>, context: McpCallContext) => Awaitable<CallToolResult>;

export interface McpResourceOptions<P extends z.ZodObject> {
  /** A stable name (`account-insights`). */
  name: string;
  title: string;
  description: string;
  scope: Scope;
  /** A fixed URI (`test://static-text`) or an RFC 6570 template (`insights://accounts/{accountId}`). */
  uri: string;
  mimeType: string;
  /** Validates the template variables (and documents the RPC params); `{}` for a fixed URI. */
  params: P;
  /** The seed RPC method name (resources have no default). Omit for no RPC twin. */
  rpcMethod?: string;
}

/** A resource handler returns data (JSON, or text for `text/*`), or `{ blob }` for binary content. */
export type ResourceHandler<P extends z.ZodObject> = (principal: Principal, params: z.output<P>, uri: string) => Awaitable<unknown>;

export interface McpPromptOptions<A extends z.ZodObject | undefined> {
  name: string;
  title: string;
  description: string;
  scope: Scope;
  /** Prompt arguments (strings); may use the SDK's `completable()`. */
  args?: A;
}
export type PromptHandler<A extends z.ZodObject | undefined> = (principal: Principal, args: InputOf<A>) => Awaitable<GetPromptResult>;

export type McpItemDefinition =
  | { kind: 'tool'; method: string | symbol; options: McpDataToolOptions<z.ZodObject | undefined, z.ZodType> | McpRawToolOptions<z.ZodObject | undefined> }
  | { kind: 'resource'; method: string | symbol; options: McpResourceOptions<z.ZodObject> }
  | { kind: 'prompt'; method: string | symbol; options: McpPromptOptions<z.ZodObject | undefined> };

function addItem(target: object, item: McpItemDefinition): void {
  const owner = target.constructor;
  const items: McpItemDefinition[] = Reflect.getOwnMetadata(MCP_ITEMS, owner) ?? [];
  Reflect.defineMetadata(MCP_ITEMS, [...items, item], owner);
}

/** Declares an MCP tool. The method receives the caller's principal and the validated input. */
export function McpTool<I extends z.ZodObject | undefined = undefined, O extends z.ZodType = z.ZodType>(
  options: McpDataToolOptions<I, O>,
): (target: object, method: string | symbol, descriptor: HandlerDescriptor<DataToolHandler<I, O>>) => void;
export function McpTool<I extends z.ZodObject | undefined = undefined>(
  options: McpRawToolOptions<I>,
): (target: object, method: string | symbol, descriptor: HandlerDescriptor<RawToolHandler<I>>) => void;
export function McpTool(options: McpDataToolOptions<z.ZodObject | undefined, z.ZodType> | McpRawToolOptions<z.ZodObject | undefined>) {
  return (target: object, method: string | symbol) => addItem(target, { kind: 'tool', method, options });
}

/** Declares an MCP resource (fixed URI or template). */
export function McpResource<P extends z.ZodObject>(options: McpResourceOptions<P>) {
  return (target: object, method: string | symbol, _descriptor: HandlerDescriptor<ResourceHandler<P>>): void =>
    addItem(target, { kind: 'resource', method, options: options as unknown as McpResourceOptions<z.ZodObject> });
}

/** Declares an MCP prompt. */
export function McpPrompt<A extends z.ZodObject | undefined = undefined>(options: McpPromptOptions<A>) {
  return (target: object, method: string | symbol, _descriptor: HandlerDescriptor<PromptHandler<A>>): void =>
    addItem(target, { kind: 'prompt', method, options: options as McpPromptOptions<z.ZodObject | undefined> });
}
