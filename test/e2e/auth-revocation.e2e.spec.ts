import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthFixture, type AuthFixture } from '../helpers/auth-fixture.js';
import { tenantCli } from '../helpers/tenant-cli.js';

const SALES = 'mcp:tools:sales-data:read';

/**
 * Controls that act before `exp` (catalog T24). The tokens below were used first, so they sit in
 * the verified-token cache and their tenant in the known-tenant cache: what must still bite is the
 * change notice each instance hears from Postgres (within moments, not the 30 s cache TTL).
 */
describe('suspended tenants and revoked tokens (catalog T24)', () => {
  let f: AuthFixture;

  beforeAll(async () => {
    f = await startAuthFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  /** The status of GET /probe/sales with `token`, polled until it is `expected` or 5 s pass. */
  const statusBecomes = async (token: string, expected: number) => {
    const deadline = Date.now() + 5_000;
    let status = (await f.get('/probe/sales', token)).status;
    while (status !== expected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await f.get('/probe/sales', token)).status;
    }
    return status;
  };

  it('when a tenant is suspended, then its valid tokens get 403 tenant_suspended at once, other tenants carry on, and resuming restores access', async () => {
    const tokenA = f.token({ claims: { scope: SALES } });
    const tokenB = f.token({ claims: { scope: SALES, org_id: f.tenantB } });
    expect((await f.get('/probe/sales', tokenA)).status).toBe(200);
    expect((await f.get('/probe/sales', tokenB)).status).toBe(200);

    const suspended = await tenantCli('suspend', f.tenantA);
    expect(suspended, suspended.stderr).toMatchObject({ code: 0, stdout: expect.stringContaining(`suspended tenant ${f.tenantA}`) });
    expect(await statusBecomes(tokenA, 403)).toBe(403);
    const refused = await f.get('/probe/sales', tokenA);
    expect(await refused.json()).toMatchObject({ error: 'tenant_suspended' });
    expect((await f.get('/probe/sales', tokenB)).status).toBe(200);
    // A freshly minted token of the suspended tenant is refused too.
    expect((await f.get('/probe/sales', f.token({ claims: { scope: SALES } }))).status).toBe(403);

    expect((await tenantCli('resume', f.tenantA)).code).toBe(0);
    expect(await statusBecomes(tokenA, 200)).toBe(200);
  }, 60_000);

  it('when a token’s jti is revoked, then that token gets 401 invalid_token with a challenge, and the client’s other tokens still work', async () => {
    const jti = randomUUID();
    const revoked = f.token({ claims: { scope: SALES, jti } });
    const sibling = f.token({ claims: { scope: SALES, jti: randomUUID() } });
    expect((await f.get('/probe/sales', revoked)).status).toBe(200);

    const result = await tenantCli('revoke-token', jti, 'laptop stolen');
    expect(result, result.stderr).toMatchObject({ code: 0, stdout: expect.stringContaining(`revoked token ${jti}`) });
    expect(await statusBecomes(revoked, 401)).toBe(401);
    const response = await f.get('/probe/sales', revoked);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect(await response.json()).toMatchObject({ error: 'invalid_token' });
    expect((await f.get('/probe/sales', sibling)).status).toBe(200);
  }, 60_000);

  it('when the CLI is asked about a tenant that does not exist or given bad arguments, then it says so and changes nothing', async () => {
    const missing = await tenantCli('suspend', 'no-such-tenant-t24');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no tenant no-such-tenant-t24');
    for (const args of [['suspend'], ['resume', 'a', 'b'], ['revoke-token'], ['suspend', 'Bad Id!']]) {
      const result = await tenantCli(...args);
      expect(result.code, args.join(' ')).toBe(2);
    }
  }, 60_000);
});
