import { parseArgs } from 'node:util';
import { loadConfigFromProcessEnv } from '../config/app-config.js';
import { DEMO_CLIENTS, demoClient } from './demo-identities.js';
import { readDemoClientSecret } from './local-secrets.js';

const USAGE = `usage: npm run --silent token -- --client <${DEMO_CLIENTS.map((client) => client.clientId).join('|')}> [--scope "<scopes>"] [--resource <url>]`;

/**
 * `npm run token -- --client acme-analyst [--scope "…"]`: asks the running embedded authorization
 * server for a client-credentials access token (a real request to its token endpoint, found
 * through its metadata) and prints only the token, for `curl -H "Authorization: Bearer …"`.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { client: { type: 'string' }, scope: { type: 'string' }, resource: { type: 'string' }, help: { type: 'boolean' } },
  });
  const client = values.client ? demoClient(values.client) : undefined;
  if (values.help || !client) {
    console.error(values.client ? `unknown client "${values.client}"\n${USAGE}` : USAGE);
    return 2;
  }
  const config = loadConfigFromProcessEnv();
  if (!config.auth.embeddedIssuer) {
    console.error(`AUTH_ISSUER is set (${config.auth.issuer}): get tokens from that issuer; this command serves the embedded one only.`);
    return 2;
  }
  const secret = config.demo.clientSecret ?? (await readDemoClientSecret(config.dataDir));
  if (!secret) {
    console.error(`No demo client secret under ${config.dataDir}: start the server once (npm start), or set DEMO_CLIENT_SECRET.`);
    return 1;
  }
  const tokenEndpoint = await discoverTokenEndpoint(config.auth.issuer);
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    signal: AbortSignal.timeout(10_000),
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      // By default, everything the client may have.
      scope: values.scope ?? client.scopes.join(' '),
      resource: values.resource ?? config.resourceUrl,
    }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok || typeof body.access_token !== 'string') {
    console.error(`${tokenEndpoint} answered ${response.status}: ${JSON.stringify(body)}`);
    return 1;
  }
  console.log(body.access_token);
  return 0;
}

async function discoverTokenEndpoint(issuer: string): Promise<string> {
  const url = `${issuer}/.well-known/openid-configuration`;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  } catch (error) {
    throw new Error(`cannot reach ${url} (is the server running? npm start): ${(error as Error).message}`);
  }
  const metadata = (await response.json()) as { issuer?: string; token_endpoint?: string };
  if (metadata.issuer !== issuer || !metadata.token_endpoint) throw new Error(`${url} is not the metadata of ${issuer}`);
  return metadata.token_endpoint;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  },
);
