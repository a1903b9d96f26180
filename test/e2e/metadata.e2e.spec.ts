import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Scope } from '../../src/auth/scope.js';
import { json } from '../helpers/http.js';
import { ProbeModule } from '../helpers/probe.module.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// RFC 9728 §2: the protected resource metadata parameters and their JSON types. Unknown members
// are allowed (§2: "additional metadata parameters MAY be used"), so the object is loose.
const url = z.url({ protocol: /^https?$/ });
const stringArray = z.array(z.string().min(1));
const protectedResourceMetadata = z.looseObject({
  resource: url,
  authorization_servers: z.array(url).min(1).optional(),
  jwks_uri: url.optional(),
  scopes_supported: stringArray.optional(),
  bearer_methods_supported: z.array(z.enum(['header', 'body', 'query'])).optional(),
  resource_signing_alg_values_supported: z.array(z.string().min(1).refine((alg) => alg !== 'none', '"none" must not be used')).optional(),
  resource_name: z.string().min(1).optional(),
  resource_documentation: url.optional(),
  resource_policy_uri: url.optional(),
  resource_tos_uri: url.optional(),
  tls_client_certificate_bound_access_tokens: z.boolean().optional(),
  authorization_details_types_supported: stringArray.optional(),
  dpop_signing_alg_values_supported: stringArray.optional(),
  dpop_bound_access_tokens_required: z.boolean().optional(),
  signed_metadata: z.string().optional(),
});

const PATHS = ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp'];
const ISSUER = 'https://auth.example.test/';
const RESOURCE = 'https://mcp.example.test';

describe('RFC 9728 protected resource metadata (CONTRACT.md Discovery, catalog T58)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // RESOURCE_URL differs from PUBLIC_URL on purpose: `resource` must be the former. The issuer
    // needs not answer: discovery documents are built from configuration alone.
    t = await startTestApp({ AUTH_ISSUER: ISSUER, RESOURCE_URL: RESOURCE }, [ProbeModule]);
  });
  afterAll(() => t.close());

  it.each(PATHS)('when %s is fetched without a token, then 200 JSON that validates against RFC 9728 §2', async (path) => {
    const response = await fetch(`${t.baseUrl}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json(;\s*charset=utf-8)?$/i);
    const parsed = protectedResourceMetadata.safeParse(await response.json());
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  });

  it.each(PATHS)('when %s is fetched, then its fields are the configured ones and scopes_supported is the scope catalog', async (path) => {
    const document = await json(await fetch(`${t.baseUrl}${path}`));
    expect(document).toEqual({
      resource: RESOURCE,
      authorization_servers: [ISSUER],
      bearer_methods_supported: ['header'],
      scopes_supported: Object.values(Scope),
      resource_name: expect.any(String),
      resource_documentation: `${t.config.publicUrl}/docs`,
    });
    // Derived, not hand-written: every catalog scope, no omnibus or wildcard entries.
    expect(new Set(document.scopes_supported)).toEqual(new Set(Object.values(Scope)));
    expect(document.scopes_supported.some((scope: string) => scope.includes('*'))).toBe(false);
  });

  it('when both documents are fetched, then they describe the same resource identically', async () => {
    const [root, mcp] = await Promise.all(PATHS.map(async (path) => (await fetch(`${t.baseUrl}${path}`)).json()));
    expect(mcp).toEqual(root);
  });

  it('when Host and X-Forwarded-Host/Proto are spoofed, then resource and authorization_servers do not change (T58/T68)', async () => {
    const { request } = await import('node:http');
    const body = await new Promise<string>((resolve, reject) => {
      const client = request(`${t.baseUrl}${PATHS[1]}`, {
        headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http', forwarded: 'host=evil.example' },
      });
      client.on('response', (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve(text));
      });
      client.on('error', reject);
      client.end();
    });
    expect(body).not.toContain('evil.example');
    expect(JSON.parse(body)).toMatchObject({ resource: RESOURCE, authorization_servers: [ISSUER] });
  });

  it('when a request carries a bad or malformed Authorization header, then discovery still answers 200 (it is public)', async () => {
    for (const authorization of ['Bearer not-a-jwt', 'Bearer', 'Basic dXNlcjpwYXNz']) {
      expect((await fetch(`${t.baseUrl}${PATHS[0]}`, { headers: { authorization } })).status).toBe(200);
    }
  });

  it('when a 401 challenge names resource_metadata, then that URL is one of these documents', async () => {
    const response = await fetch(`${t.baseUrl}/probe/crm`);
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate') ?? '';
    const named = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
    expect(named).toBe(`${t.config.publicUrl}${PATHS[0]}`);
    expect((await fetch(named!.replace(t.config.publicUrl, t.baseUrl))).status).toBe(200);
  });
});
