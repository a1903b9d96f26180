import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AuditModule } from '../audit/audit.module.js';
import { ConformanceFixtures } from './conformance/conformance.fixtures.js';
import { McpController } from './mcp.controller.js';
import { McpDataToolCalls } from './mcp-data-tool-calls.js';
import { McpGateway } from './mcp-gateway.service.js';
import { McpOriginHook } from './mcp-origin.hook.js';
import { McpRegistry } from './mcp-registry.js';
import { McpRpcController } from './mcp-rpc.controller.js';
import { McpRpcService } from './mcp-rpc.service.js';
import { McpServerFactory } from './mcp-server-factory.js';
import { McpServerPool } from './mcp-server-pool.js';

export interface McpModuleOptions {
  /** MCP_CONFORMANCE_FIXTURES: register the conformance suite's `test_*` tools, resources and prompts. */
  conformanceFixtures: boolean;
}

/**
 * The MCP server (`/mcp`, Streamable HTTP) and its seed RPC twins (`/mcp/tools/*`,
 * `/mcp/resources/*`). It owns no capability: it discovers the tools, resources and prompts that
 * feature modules declare (mcp.decorators.ts) and serves each under its scope.
 */
@Module({})
export class McpModule {
  static forRoot(options: McpModuleOptions): DynamicModule {
    return {
      module: McpModule,
      imports: [DiscoveryModule, AuditModule],
      controllers: [McpRpcController, McpController],
      providers: [McpOriginHook, McpRegistry, McpServerFactory, McpServerPool, McpDataToolCalls, McpGateway, McpRpcService, ...(options.conformanceFixtures ? [ConformanceFixtures] : [])],
    };
  }
}
