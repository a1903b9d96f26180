import { applyDecorators } from '@nestjs/common';
import { ScopesCheckedByHandler } from '../auth/require-scopes.decorator.js';

/**
 * `@McpEndpoint()`: the route is authenticated by the global guard like every REST route (same
 * 401/400 challenges, with the MCP resource metadata URL), and each JSON-RPC message or RPC
 * method is then checked against the scope its registry entry declares, before anything runs.
 */
export function McpEndpoint(): ClassDecorator & MethodDecorator {
  return applyDecorators(ScopesCheckedByHandler());
}
