import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { toJsonSchema, ZodValidationPipe } from '../common/validation/zod-validation.js';
import { McpEndpoint } from './mcp-endpoint.decorator.js';
import { requestIdOf } from '../common/logging/request-id.js';
import { McpRegistry, type ResourceEntry, type RpcAddress, type ToolEntry } from './mcp-registry.js';
import { McpRpcService, rpcEnvelopeSchema, type RpcEnvelope } from './mcp-rpc.service.js';

type JsonSchema = Record<string, unknown>;

// The OpenAPI schemas of the two routes are filled from the registry at start-up (the decorators
// below hold these very objects), so Swagger lists every method without src/mcp naming any.
const docs: Record<RpcAddress['kind'], { group: JsonSchema; body: JsonSchema; result: JsonSchema }> = {
  tools: { group: { type: 'string' }, body: toJsonSchema(rpcEnvelopeSchema), result: { type: 'object' } },
  resources: { group: { type: 'string' }, body: toJsonSchema(rpcEnvelopeSchema), result: { type: 'object' } },
};

/**
 * The seed's RPC routes, twins of the MCP tools and resources: `POST /mcp/tools/<group>` and
 * `POST /mcp/resources/<group>` with `{method, params}` → `{result}`. The group comes from the
 * item's scope (`mcp:tools:crm:write` → `/mcp/tools/crm`), and each method demands its own scope.
 */
@ApiTags('mcp-rpc')
@McpEndpoint()
@Controller('mcp')
export class McpRpcController {
  constructor(
    private readonly rpc: McpRpcService,
    registry: McpRegistry,
  ) {
    describeRoutes(registry, rpc);
  }

  @Post('tools/:group')
  @HttpCode(200)
  @ApiParam({ name: 'group', schema: docs.tools.group })
  @ApiBody({ schema: docs.tools.body })
  @ApiOkResponse({ schema: docs.tools.result })
  tools(
    @Param('group') group: string,
    @Body(new ZodValidationPipe(rpcEnvelopeSchema, 'body')) envelope: RpcEnvelope,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return this.rpc.call('tools', group, envelope, principal, requestIdOf(response));
  }

  @Post('resources/:group')
  @HttpCode(200)
  @ApiParam({ name: 'group', schema: docs.resources.group })
  @ApiBody({ schema: docs.resources.body })
  @ApiOkResponse({ schema: docs.resources.result })
  resources(
    @Param('group') group: string,
    @Body(new ZodValidationPipe(rpcEnvelopeSchema, 'body')) envelope: RpcEnvelope,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return this.rpc.call('resources', group, envelope, principal, requestIdOf(response));
  }
}

function describeRoutes(registry: McpRegistry, rpc: McpRpcService): void {
  for (const kind of ['tools', 'resources'] as const) {
    const entries = registry.rpcEntries().filter((entry) => entry.rpc?.kind === kind);
    const target = docs[kind];
    replace(target.group, { type: 'string', enum: rpc.groups(kind) });
    if (entries.length > 0) {
      replace(target.body, { oneOf: entries.map(bodySchemaOf) });
      replace(target.result, { type: 'object', required: ['result'], properties: { result: { oneOf: entries.map(resultSchemaOf) } } });
    }
    const method = McpRpcController.prototype[kind];
    ApiOperation({
      summary: `Seed RPC twins of the MCP ${kind}: {method, params} → {result}`,
      description: methodTable(entries),
    })(McpRpcController.prototype, kind, Object.getOwnPropertyDescriptor(McpRpcController.prototype, kind) ?? { value: method });
  }
}

/** In place: the decorators hold references to these objects. */
function replace(target: JsonSchema, contents: JsonSchema): void {
  for (const key of Object.keys(target)) delete target[key];
  Object.assign(target, contents);
}

function bodySchemaOf(entry: ToolEntry | ResourceEntry): JsonSchema {
  const params = entry.kind === 'tool' ? entry.options.input : entry.options.params;
  return {
    title: entry.rpc!.method,
    description: `${entry.options.description} (scope ${entry.scope}; route /mcp/${entry.rpc!.kind}/${entry.rpc!.group})`,
    type: 'object',
    required: ['method'],
    properties: { method: { type: 'string', enum: [entry.rpc!.method] }, params: params ? toJsonSchema(params) : { type: 'object' } },
    additionalProperties: false,
  };
}

function resultSchemaOf(entry: ToolEntry | ResourceEntry): JsonSchema {
  if (entry.kind === 'resource') return { title: entry.rpc!.method, description: `The ${entry.options.mimeType} document` };
  return { title: entry.rpc!.method, ...(entry.options.output ? toJsonSchema(entry.options.output, 'output') : {}) };
}

function methodTable(entries: (ToolEntry | ResourceEntry)[]): string {
  if (entries.length === 0) return 'No method is registered yet.';
  const rows = entries.map((entry) => `| \`/mcp/${entry.rpc!.kind}/${entry.rpc!.group}\` | \`${entry.rpc!.method}\` | \`${entry.name}\` | \`${entry.scope}\` | ${entry.options.title} |`);
  return ['| route | method | MCP twin | scope | what |', '|---|---|---|---|---|', ...rows].join('\n');
}
