import type { INestApplication } from '@nestjs/common';
import { DEMO_CLIENTS, DEMO_USERS } from './demo-identities.js';
import { EmbeddedAuthorizationServer } from './embedded-authorization-server.js';
import { AS_ROUTES } from './oidc-configuration.js';

/** A route every analyst demo client may call (sales-data:read), for the banner's ready-to-paste `curl` line. */
const EXAMPLE_PATH = '/api/v1/sales/forecast?region=North%20America';

/** The start-up banner's lines about the embedded authorization server: clients, secret, curl. */
export function authorizationServerBanner(app: INestApplication): string[] {
  const { config, demoSecret } = app.get(EmbeddedAuthorizationServer);
  const secret = demoSecret.source === 'DEMO_CLIENT_SECRET' ? '$DEMO_CLIENT_SECRET' : demoSecret.value;
  const [example] = DEMO_CLIENTS;
  const width = Math.max(...DEMO_CLIENTS.map((client) => client.clientId.length));
  return [
    `  Authorization server:   ${config.auth.issuer} (embedded, for local use: set AUTH_ISSUER in production)`,
    `  Demo clients (client credentials, secret ${secret}${demoSecret.source === 'generated' ? `, kept in ${config.dataDir}` : ''}):`,
    ...DEMO_CLIENTS.map((client) => `    ${client.clientId.padEnd(width)}  tenant ${client.tenantId.padEnd(7)} ${client.scopes.join(' ')}`),
    `  Browser sign-in (Swagger UI "Authorize", MCP clients): pick ${DEMO_USERS.map((user) => user.id).join(', ')}`,
    `  Token for curl:         npm run --silent token -- --client ${example.clientId} [--scope "…"]`,
    '  Try it:',
    `    curl -s -u '${example.clientId}:${secret}' -d grant_type=client_credentials --data-urlencode 'scope=${example.scopes.join(' ')}' ${config.auth.issuer}${AS_ROUTES.token}`,
    `    curl -s -H "Authorization: Bearer $(npm run --silent token -- --client ${example.clientId})" '${config.publicUrl}${EXAMPLE_PATH}'`,
  ];
}
