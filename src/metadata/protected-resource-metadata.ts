import type { AppConfig } from '../config/app-config.js';
import { ALL_SCOPES } from '../auth/scope.js';

/** The RFC 9728 §2 document; `scopes_supported` is derived from the scope catalog. */
export function protectedResourceMetadata(config: AppConfig): Record<string, unknown> {
  return {
    resource: config.resourceUrl,
    authorization_servers: [config.auth.issuer],
    bearer_methods_supported: ['header'],
    scopes_supported: [...ALL_SCOPES],
    resource_name: 'Sales Analytics MCP server',
    resource_documentation: `${config.publicUrl}/docs`,
  };
}
