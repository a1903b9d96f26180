import { Controller, Delete, Get, Options, Patch, Post, Put, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { McpEndpoint } from './mcp-endpoint.decorator.js';
import { McpGateway } from './mcp-gateway.service.js';
import { jsonRpcError, type McpHttpRequest } from './mcp-http.js';

/**
 * The MCP endpoint (Streamable HTTP). Stateless: every POST carries what it needs, so there is
 * no session to resume with GET or end with DELETE — both are 405 (after authentication, like
 * every method here). JSON-RPC is not REST: the RPC twins document the tools in Swagger instead.
 * The MCP SDK writes Node's response itself: each handler hijacks Fastify's reply first (an error
 * thrown after that is still answered on Node's response by the exception filter).
 */
@ApiExcludeController()
@McpEndpoint()
@Controller('mcp')
export class McpController {
  constructor(private readonly gateway: McpGateway) {}

  @Post()
  post(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @CurrentPrincipal() principal: Principal): Promise<void> {
    reply.hijack();
    const raw: McpHttpRequest = request.raw;
    raw.body = request.body;
    return this.gateway.post(raw, reply.raw, principal);
  }

  @Get()
  get(@Res() reply: FastifyReply): void {
    jsonRpcError(reply.hijack().raw, 405, -32000, 'Method not allowed: this server keeps no sessions and offers no standalone SSE stream');
  }

  @Delete()
  delete(@Res() reply: FastifyReply): void {
    jsonRpcError(reply.hijack().raw, 405, -32000, 'Method not allowed: this server keeps no sessions');
  }

  // Fastify takes one handler per method and path (no `@All()` beside the routes above): the other
  // methods a client may try, each refused the same way.
  @Put()
  put(@Res() reply: FastifyReply): void {
    notAllowed(reply);
  }

  @Patch()
  patch(@Res() reply: FastifyReply): void {
    notAllowed(reply);
  }

  @Options()
  options(@Res() reply: FastifyReply): void {
    notAllowed(reply);
  }
}

function notAllowed(reply: FastifyReply): void {
  jsonRpcError(reply.hijack().raw, 405, -32000, 'Method not allowed.');
}
