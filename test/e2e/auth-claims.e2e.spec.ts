import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthFixture, type AuthFixture } from '../helpers/auth-fixture.js';
import { TestIssuer } from '../helpers/test-issuer.js';

describe('resource server: audience look-alikes, other environments, CORS (catalog T16, T18, T25, T61)', () => {
  let f: AuthFixture;
  let staging: TestIssuer;
  beforeAll(async () => {
    f = await startAuthFixture();
    staging = await new TestIssuer().start();
  });
  afterAll(async () => {
    await staging.stop();
    await f.close();
  });

  it('T16: when aud is a host/query look-alike or differs in case, then 401 (exact string match; uppercase scheme/host is refused by policy)', async () => {
    const aud = f.t.config.auth.audience;
    const url = new URL(aud);
    for (const bad of [
      `${aud}.evil.example`,
      `${url.protocol}//${url.host}.evil.example${url.pathname}`,
      `https://evil.example/?u=${encodeURIComponent(aud)}`,
      `https://evil.example/?u=${aud}`,
      aud.toUpperCase(),
      `${url.protocol.toUpperCase()}//${url.host}${url.pathname === '/' ? '' : url.pathname}`,
      ` ${aud}`,
      [`${aud}/`, `${aud}x`],
    ]) {
      expect((await f.get('/probe/crm', f.token({ claims: { aud: bad } }))).status, JSON.stringify(bad)).toBe(401);
    }
  });

  it('T25: when a token from another environment arrives (its own iss and aud, even signed with a key we trust), then 401 and its issuer is never contacted', async () => {
    const token = staging.mint('https://mcp.staging.example.test/mcp', { claims: { org_id: f.tenantA } });
    expect((await f.get('/probe/crm', token)).status).toBe(401);
    // Only our audience is wrong? Still 401: the issuer differs.
    expect((await f.get('/probe/crm', staging.mint(f.t.config.auth.audience, { claims: { org_id: f.tenantA } }))).status).toBe(401);
    // Only the issuer is ours and the audience theirs? 401.
    expect((await f.get('/probe/crm', f.token({ claims: { aud: 'https://mcp.staging.example.test/mcp' } }))).status).toBe(401);
    expect(staging.jwksRequests + staging.metadataRequests).toBe(0);
  });

  it('T18: when iss is ours but the kid is one only the other issuer publishes, then 401 and the other issuer is not asked', async () => {
    staging.published = ['k4'];
    const token = f.token({ header: { kid: 'k4' } });
    expect((await f.get('/probe/crm', token)).status).toBe(401);
    expect(staging.jwksRequests).toBe(0);
  });

  it('T61: when a browser preflights a protected route from a foreign origin, then no CORS grant comes back (CORS is not enabled for the API)', async () => {
    const preflight = await fetch(`${f.t.baseUrl}/probe/crm`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
    const actual = await f.get('/probe/crm', f.token(), { origin: 'https://evil.example' });
    expect(actual.headers.get('access-control-allow-origin')).toBeNull();
  });
});
