import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthFixture, type AuthFixture } from '../helpers/auth-fixture.js';
import { json } from '../helpers/http.js';
import { base64url, signRaw } from '../helpers/test-issuer.js';

const PRM_SUFFIX = '/.well-known/oauth-protected-resource';

describe('resource server: tokens (catalog T01–T22)', () => {
  let f: AuthFixture;
  let prm: string;
  beforeAll(async () => {
    f = await startAuthFixture();
    prm = `${f.t.config.publicUrl}${PRM_SUFFIX}`;
  });
  afterAll(() => f.close());

  async function expectInvalidToken(token: string, path = '/probe/crm') {
    const response = await f.get(path, token);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer error="invalid_token", error_description="Invalid or expired token", resource_metadata="${prm}"`,
    );
    expect(await json(response)).toEqual({ error: 'invalid_token', error_description: 'Invalid or expired token' });
  }

  it('when the token is valid, then 200 and the principal comes from its claims', async () => {
    const response = await f.get('/probe/crm', f.token());
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body.principal).toMatchObject({ subject: 'user-a1', clientId: 'client-1', tenantId: f.tenantA });
    expect(body.principal.scopes).toEqual(['mcp:tools:sales-data:read', 'mcp:tools:crm:read']);
  });

  it('when there is no token, then 401 with the challenge and no error attribute (RFC 6750 §3.1)', async () => {
    const response = await f.get('/probe/crm');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer scope="mcp:tools:crm:read", resource_metadata="${prm}"`);
    expect(await json(response)).toEqual({ error: 'unauthorized', error_description: 'Bearer token required' });
  });

  it('T01: when alg is none in any case, with or without a signature, then 401', async () => {
    const valid = f.token();
    const [, payload, signature] = valid.split('.');
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      const header = base64url(JSON.stringify({ alg, typ: 'at+jwt', kid: 'k1' }));
      await expectInvalidToken(`${header}.${payload}.`);
      await expectInvalidToken(`${header}.${payload}.${signature}`);
    }
  });

  it('T02: when signed HS256 with the public key as the secret, then 401', async () => {
    const { createHmac } = await import('node:crypto');
    const publicPem = f.issuer.jwk('k1');
    const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'at+jwt', kid: 'k1' }));
    const payload = f.token().split('.')[1];
    for (const secret of [JSON.stringify(publicPem), '', 'secret']) {
      const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
      await expectInvalidToken(`${header}.${payload}.${signature}`);
    }
  });

  it('T03: when the header carries its own key (jwk/jku/x5u), then it is not trusted and nothing is fetched from it', async () => {
    let canaryHits = 0;
    const { createServer } = await import('node:http');
    const canary = createServer((_req, res) => {
      canaryHits++;
      res.end('{}');
    });
    await new Promise<void>((done) => canary.listen(0, '127.0.0.1', done));
    const canaryUrl = `http://127.0.0.1:${(canary.address() as { port: number }).port}/jwks.json`;
    const attackerJwk = f.issuer.jwk('kA-rsa');
    await expectInvalidToken(f.token({ header: { kid: 'k1', jwk: attackerJwk }, signWith: 'kA-rsa' }));
    await expectInvalidToken(f.token({ header: { kid: 'kA', jku: canaryUrl }, signWith: 'kA-rsa' }));
    await expectInvalidToken(f.token({ header: { kid: 'kA', x5u: canaryUrl }, signWith: 'kA-rsa' }));
    expect(canaryHits).toBe(0);
    canary.close();
  });

  it('T04: when the payload is tampered or the signature truncated, nulled or transplanted, then 401 with identical bodies; a good token still passes', async () => {
    const valid = f.token();
    const [header, payload, signature] = valid.split('.');
    const other = f.token({ claims: { sub: 'someone-else' } }).split('.')[2];
    const tampered = base64url(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), org_id: f.tenantB }));
    for (const forged of [`${header}.${tampered}.${signature}`, `${header}.${payload}.${signature.slice(0, -4)}`, `${header}.${payload}.`, `${header}.${payload}.${other}`]) {
      await expectInvalidToken(forged);
    }
    expect((await f.get('/probe/crm', valid)).status).toBe(200);
  });

  it('T05: when signed by an unknown key claiming a trusted kid, or an unknown kid, or no kid, then 401', async () => {
    await expectInvalidToken(f.token({ header: { kid: 'k1' }, signWith: 'kA-rsa' }));
    await expectInvalidToken(f.token({ header: { kid: 'does-not-exist' }, signWith: 'kA-rsa' }));
    await expectInvalidToken(f.token({ header: { kid: undefined }, signWith: 'k1' }));
  });

  it('T06: when the algorithm is not allowed or does not match the key, then 401; ES256 with k2 passes', async () => {
    expect((await f.get('/probe/crm', f.token({ header: { alg: 'ES256', kid: 'k2' } }))).status).toBe(200);
    await expectInvalidToken(f.token({ header: { alg: 'ES256', kid: 'k1' }, signWith: 'k2' }));
    await expectInvalidToken(f.token({ header: { alg: 'RS256', kid: 'k2' }, signWith: 'k1' }));
    await expectInvalidToken(f.token({ header: { alg: 'RS384', kid: 'k1' } }));
  });

  it('T07: when kid is hostile input, then 401 quickly, never 500', async () => {
    for (const kid of ['../../../../dev/null', "k1' OR '1'='1", "k1'; SELECT pg_sleep(10)--", 'k1\r\nX-Injected: 1', 'x'.repeat(10_000), 123, { a: 1 }, ['k1']]) {
      const started = Date.now();
      await expectInvalidToken(f.token({ header: { kid }, signWith: 'kA-rsa' }));
      expect(Date.now() - started).toBeLessThan(2_000);
    }
  });

  it('T08: when the header has crit (any form), then 401', async () => {
    for (const crit of [['urn:example:must-check'], [], 'b64', ['missing']]) {
      await expectInvalidToken(f.token({ header: { crit, 'urn:example:must-check': true } }));
    }
  });

  it('T09/T10: when the token is a JWE or malformed, then 401 (never 500)', async () => {
    const jwe = `${base64url('{"alg":"RSA-OAEP","enc":"A256GCM"}')}.a.b.c.d`;
    for (const bad of [jwe, 'a.b', 'a.b.c.d', `${base64url('"str"')}.${base64url('{}')}.x`, `${base64url('[]')}.${base64url('{}')}.x`, `${base64url('null')}.e30.x`, 'ab+c/.def.ghi']) {
      await expectInvalidToken(bad);
    }
    // '=' inside the value is not token68 syntax: the header itself is malformed (400).
    expect((await f.get('/probe/crm', 'abc=.def.ghi')).status).toBe(400);
    const payloadArray = signRaw(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' }), '["a"]', 'k1');
    await expectInvalidToken(payloadArray);
  });

  it('T15/T16: when aud is wrong, absent, a look-alike, a wrong type or an array without us, then 401; an array with us passes', async () => {
    const aud = f.t.config.auth.audience;
    for (const bad of ['https://crm-internal.example.test/api', undefined, 'client-1', [], `${aud}/`, `${aud}x`, `${aud}#frag`, 123, { 0: aud }, ['https://evil.example']]) {
      await expectInvalidToken(f.token({ claims: { aud: bad } }));
    }
    expect((await f.get('/probe/crm', f.token({ claims: { aud: ['https://evil.example', aud] } }))).status).toBe(200);
  });

  it('T17: when typ is not an access-token type, or the token is an ID token, then 401', async () => {
    for (const typ of ['logout+jwt', 'secevent+jwt', 42]) await expectInvalidToken(f.token({ header: { typ } }));
    await expectInvalidToken(f.token({ claims: { nonce: 'n-0S6', aud: f.t.config.auth.audience } }));
    for (const typ of ['at+jwt', 'at+JWT', 'application/at+jwt', 'JWT']) {
      expect((await f.get('/probe/crm', f.token({ header: { typ } }))).status, typ).toBe(200);
    }
  });

  it('T18: when iss differs at all from the configured issuer, then 401', async () => {
    for (const iss of [`${f.issuer.url}/`, `${f.issuer.url} `, `${f.issuer.url}.evil`, undefined]) {
      await expectInvalidToken(f.token({ claims: { iss } }));
    }
  });

  it('T19: exp is required, enforced with leeway, typed, and the lifetime is capped', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await f.get('/probe/crm', f.token({ claims: { exp: now - 120, iat: now - 400, nbf: now - 400 } }));
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toContain('error_description="The access token expired"');
    expect((await f.get('/probe/crm', f.token({ claims: { exp: now - 30, iat: now - 300 } }))).status).toBe(200);
    await expectInvalidToken(f.token({ claims: { exp: undefined } }));
    await expectInvalidToken(f.token({ claims: { exp: '9999999999' } }));
    await expectInvalidToken(f.token({ claims: { exp: now + 10 * 365 * 86_400 } }));
    await expectInvalidToken(f.token({ claims: { iat: undefined } }));
  });

  it('T20: when nbf or iat lie in the future beyond the leeway, then 401; within it, 200', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectInvalidToken(f.token({ claims: { nbf: now + 120 } }));
    expect((await f.get('/probe/crm', f.token({ claims: { nbf: now + 30 } }))).status).toBe(200);
    await expectInvalidToken(f.token({ claims: { iat: now + 3600, exp: now + 3900 } }));
  });

  it('T21: when an RFC 9068 claim is missing or mistyped, then 401', async () => {
    for (const claims of [{ sub: undefined }, { client_id: undefined }, { jti: undefined }, { sub: 123 }, { client_id: ['c'] }, { jti: '' }, { scope: ['mcp:tools:crm:read'] }]) {
      await expectInvalidToken(f.token({ claims }));
    }
  });

  it('T22: when the tenant claim is absent, empty, null, a wildcard, an array, a number or padded, then 401; unknown, then 403', async () => {
    for (const org of [undefined, '', null, '*', [f.tenantA, f.tenantB], 123, `${f.tenantA} `]) {
      await expectInvalidToken(f.token({ claims: { org_id: org } }));
    }
    const unknown = await f.get('/probe/crm', f.token({ claims: { org_id: 'tenant-zzz-unknown' } }));
    expect(unknown.status).toBe(403);
    expect(await json(unknown)).toMatchObject({ error: 'unknown_tenant' });
  });
});
