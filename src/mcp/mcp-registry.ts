import { Injectable, Logger } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { type McpServer, UriTemplate } from '@modelcontextprotocol/server';
import type { z } from 'zod';
import type { Scope } from '../auth/scope.js';
import {
  MCP_ITEMS,
  McpCapabilities,
  type McpDataToolOptions,
  type McpItemDefinition,
  type McpPromptOptions,
  type McpRawToolOptions,
  type McpResourceOptions,
} from './mcp.decorators.js';

type AnyFunction = (...args: unknown[]) => unknown;

export interface ToolEntry {
  kind: 'tool';
  name: string;
  scope: Scope;
  options: McpDataToolOptions<z.ZodObject | undefined, z.ZodType> | McpRawToolOptions<z.ZodObject | undefined>;
  /** Set for data tools (output schema): the seed RPC twin. */
  rpc?: RpcAddress;
  invoke: AnyFunction;
}
export interface ResourceEntry {
  kind: 'resource';
  name: string;
  scope: Scope;
  options: McpResourceOptions<z.ZodObject>;
  /** Present for templated URIs. */
  template?: UriTemplate;
  rpc?: RpcAddress;
  invoke: AnyFunction;
}
export interface PromptEntry {
  kind: 'prompt';
  name: string;
  scope: Scope;
  options: McpPromptOptions<z.ZodObject | undefined>;
  invoke: AnyFunction;
}
export type RegistryEntry = ToolEntry | ResourceEntry | PromptEntry;

/** A seed RPC route (`/mcp/<kind>/<group>`) and method (`sales/get_forecast`). */
export interface RpcAddress {
  kind: 'tools' | 'resources';
  group: string;
  method: string;
}

/** A provider's optional hook for protocol surface that carries no data and no scope (the conformance fixtures' subscribe handlers). */
export interface McpServerExtension {
  extendMcpServer(server: McpServer): void;
}

const TOOL_NAME = /^[a-z][a-z0-9_]{0,63}$/;
// `mcp:tools:sales-data:read` → tools / sales-data: the seed's route for that scope.
const SCOPE_ROUTE = /^mcp:(tools|resources):([a-z][a-z0-9-]*):[a-z]+$/;

/**
 * Every tool, resource and prompt that feature modules declare (see mcp.decorators.ts), found once
 * at boot from the providers' classes — so the list exists before any request (and before the
 * OpenAPI document is built). Handlers are bound to the provider instances at call time.
 */
@Injectable()
export class McpRegistry {
  private readonly logger = new Logger('McpRegistry');
  readonly tools = new Map<string, ToolEntry>();
  readonly resources: ResourceEntry[] = [];
  readonly prompts = new Map<string, PromptEntry>();
  readonly extensions: McpServerExtension[] = [];
  /** The distinct scopes the registered items require: the axis of the per-scope-set server pool. */
  readonly scopes: Scope[];
  private readonly rpcMethods = new Map<string, ToolEntry | ResourceEntry>();

  constructor(discovery: DiscoveryService) {
    // A class provided by two modules (e.g. while a feature moves its tools into its own module) counts once.
    const seen = new Set<unknown>();
    for (const wrapper of discovery.getProviders({ metadataKey: McpCapabilities.KEY })) {
      if (seen.has(wrapper.metatype)) continue;
      seen.add(wrapper.metatype);
      this.collect(wrapper);
    }
    const all: RegistryEntry[] = [...this.tools.values(), ...this.resources, ...this.prompts.values()];
    this.scopes = [...new Set(all.map((entry) => entry.scope))].sort();
    this.logger.log(`${this.tools.size} tools, ${this.resources.length} resources, ${this.prompts.size} prompts`);
  }

  /** The entry whose fixed URI or template matches `uri`. */
  resourceFor(uri: string): { entry: ResourceEntry; variables: Record<string, string | string[]> } | undefined {
    for (const entry of this.resources) {
      if (!entry.template) {
        if (entry.options.uri === uri) return { entry, variables: {} };
        continue;
      }
      const variables = entry.template.match(uri);
      if (variables) return { entry, variables };
    }
    return undefined;
  }

  /** The tool or resource behind a seed RPC method on a route. */
  rpc(kind: RpcAddress['kind'], group: string, method: string): ToolEntry | ResourceEntry | undefined {
    const entry = this.rpcMethods.get(method);
    return entry?.rpc?.kind === kind && entry.rpc.group === group ? entry : undefined;
  }

  rpcEntries(): (ToolEntry | ResourceEntry)[] {
    return [...this.rpcMethods.values()];
  }

  private collect(wrapper: InstanceWrapper): void {
    const metatype = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
    const items: McpItemDefinition[] = (metatype && Reflect.getMetadata(MCP_ITEMS, metatype)) ?? [];
    // Resolved per call: providers are instantiated after discovery has run.
    const bind = (method: string | symbol): AnyFunction => (...args) => {
      const instance = wrapper.instance as Record<string | symbol, AnyFunction>;
      return instance[method](...args);
    };
    for (const item of items) {
      if (item.kind === 'tool') this.addTool(item.options, bind(item.method));
      else if (item.kind === 'resource') this.addResource(item.options, bind(item.method));
      else this.addPrompt(item.options, bind(item.method));
    }
    const instanceHook = (metatype?.prototype as Partial<McpServerExtension> | undefined)?.extendMcpServer;
    if (instanceHook) this.extensions.push({ extendMcpServer: (server) => (wrapper.instance as McpServerExtension).extendMcpServer(server) });
  }

  private addTool(options: ToolEntry['options'], invoke: AnyFunction): void {
    if (!TOOL_NAME.test(options.name)) throw new Error(`MCP tool name "${options.name}" must be snake_case (a-z, 0-9, _), at most 64 characters`);
    if (this.tools.has(options.name)) throw new Error(`MCP tool "${options.name}" is declared twice`);
    const entry: ToolEntry = { kind: 'tool', name: options.name, scope: options.scope, options, invoke };
    if (options.output !== undefined) entry.rpc = this.rpcAddress(options.scope, (options as McpDataToolOptions<undefined, z.ZodType>).rpcMethod ?? options.name.replace('_', '/'));
    this.tools.set(options.name, entry);
    if (entry.rpc) this.addRpc(entry);
  }

  private addResource(options: McpResourceOptions<z.ZodObject>, invoke: AnyFunction): void {
    if (this.resources.some((entry) => entry.name === options.name)) throw new Error(`MCP resource "${options.name}" is declared twice`);
    const entry: ResourceEntry = {
      kind: 'resource',
      name: options.name,
      scope: options.scope,
      options,
      template: UriTemplate.isTemplate(options.uri) ? new UriTemplate(options.uri) : undefined,
      invoke,
    };
    if (options.rpcMethod) entry.rpc = this.rpcAddress(options.scope, options.rpcMethod);
    this.resources.push(entry);
    if (entry.rpc) this.addRpc(entry);
  }

  private addPrompt(options: McpPromptOptions<z.ZodObject | undefined>, invoke: AnyFunction): void {
    if (this.prompts.has(options.name)) throw new Error(`MCP prompt "${options.name}" is declared twice`);
    this.prompts.set(options.name, { kind: 'prompt', name: options.name, scope: options.scope, options, invoke });
  }

  private rpcAddress(scope: Scope, method: string): RpcAddress | undefined {
    const match = SCOPE_ROUTE.exec(scope);
    return match ? { kind: match[1] as RpcAddress['kind'], group: match[2], method } : undefined;
  }

  private addRpc(entry: ToolEntry | ResourceEntry): void {
    const method = entry.rpc!.method;
    if (this.rpcMethods.has(method)) throw new Error(`Seed RPC method "${method}" is declared twice`);
    this.rpcMethods.set(method, entry);
  }
}
