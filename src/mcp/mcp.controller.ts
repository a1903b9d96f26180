import { All, Controller, Delete, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { McpEndpoint } from './mcp-endpoint.decorator.js';
import { McpGateway } from './mcp-gateway.service.js';
import { jsonRpcError } from './mcp-http.js';

/**
 * The MCP endpoint (Streamable HTTP). Stateless: every POST carries what it needs, so there is
 * no session to resume with GET or end with DELETE — both are 405 (after authentication, like
 * every method here). JSON-RPC is not REST: the RPC twins document the tools in Swagger instead.
 */
@ApiExcludeController()
@McpEndpoint()
@Controller('mcp')
export class McpController {
  constructor(private readonly gateway: McpGateway) {}

  @Post()
  post(@Req() request: Request, @Res() response: Response, @CurrentPrincipal() principal: Principal): Promise<void> {
    return this.gateway.post(request, response, principal);
  }

  @Get()
  get(@Res() response: Response): void {
    jsonRpcError(response, 405, -32000, 'Method not allowed: this server keeps no sessions and offers no standalone SSE stream');
  }

  @Delete()
  delete(@Res() response: Response): void {
    jsonRpcError(response, 405, -32000, 'Method not allowed: this server keeps no sessions');
  }

  @All()
  other(@Res() response: Response): void {
    jsonRpcError(response, 405, -32000, 'Method not allowed.');
  }
}
