import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findFreePort } from '../../src/database/embedded-postgres.js';
import { spawnApp, waitForOk } from '../helpers/app-process.js';
import { postMcp, postRpc } from '../helpers/mcp-client.js';
import { CRM_READ, SALES } from '../helpers/mcp-fixture.js';
import { testDatabaseUrl } from '../helpers/test-app.js';
import { createTenants, uniqueTenantId } from '../helpers/tenants.js';
import { TestIssuer } from '../helpers/test-issuer.js';

// Runs the built product (npm test builds dist/ first) with debug logging, as an operator might.
describe('MCP: tokens never reach the logs (catalog T56, T59); every request has its access-log line', () => {
  it('when /mcp and its RPC twins are used — served, refused, failing, on both eras — then the debug log holds no token', async () => {
    const issuer = await new TestIssuer().start();
    const tenant = uniqueTenantId('mcp-logs');
    const dropTenants = await createTenants(tenant);
    const port = await findFreePort();
    const base = `http://127.0.0.1:${port}`;
    const app = spawnApp({
      PORT: String(port),
      // The tokens' audience: without it the app's resource is http://localhost:<port>, and every call would be a 401.
      PUBLIC_URL: base,
      DATABASE_URL: testDatabaseUrl(),
      AUTH_ISSUER: issuer.url,
      LOG_LEVEL: 'debug',
      MCP_CONFORMANCE_FIXTURES: '1',
      RATE_LIMIT_ENABLED: 'false',
    });
    try {
      await waitForOk(`${base}/health/live`, 30_000, app);
      const mint = (scope: string) => issuer.mint(base, { claims: { org_id: tenant, scope, sub: 'log-probe' } });
      const tokens = [mint(`${SALES} ${CRM_READ}`), mint('openid'), mint(SALES)];
      const [full, none, sales] = tokens;
      const call = (id: number, name: string, args: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
      await postMcp(base, call(1, 'test_simple_text'), full);
      await postMcp(base, call(2, 'crm_get_account', { accountId: randomUUID() }), full);
      await postMcp(base, call(3, 'crm_update_opportunity', { opportunityId: randomUUID() }), none);
      await postMcp(base, call(4, 'no_such_tool'), sales);
      await postMcp(base, '{"jsonrpc":', full);
      await postMcp(base, call(5, 'test_simple_text'), `${full.slice(0, -6)}AAAAAA`);
      await postMcp(base, { jsonrpc: '2.0', id: 6, method: 'tools/list', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } } }, full, {
        'mcp-protocol-version': '2026-07-28',
      });
      await postRpc(base, 'tools/crm', { method: 'crm/get_account', params: { accountId: randomUUID() } }, full);
      await postRpc(base, 'tools/crm', { method: 'crm/log_activity', params: {} }, sales);
      app.child.kill('SIGTERM');
      await app.exited;
      const output = app.output();
      expect(output.length).toBeGreaterThan(0);
      // One access-log line per request, hijacked MCP answers included, with the request id the client got.
      const lines = output.split('\n').flatMap((line) => (line.startsWith('{') ? [JSON.parse(line) as Record<string, any>] : [])); // eslint-disable-line @typescript-eslint/no-explicit-any
      const access = lines.filter((line) => line.req && line.res);
      const served = access.filter((line) => line.req.url === '/mcp' && line.req.method === 'POST' && line.res.statusCode === 200);
      expect(served.length).toBeGreaterThanOrEqual(3);
      for (const line of served) {
        expect(line).toMatchObject({ level: 30, msg: 'request completed', req: { id: expect.stringMatching(/^[0-9a-f-]{36}$/) }, responseTime: expect.any(Number) });
      }
      expect(access.filter((line) => line.res.statusCode === 401)).toEqual([expect.objectContaining({ level: 40, req: expect.objectContaining({ url: '/mcp' }) })]);
      expect(access.find((line) => line.req.url === '/mcp/tools/crm' && line.res.statusCode === 403)).toMatchObject({ level: 40 });
      for (const token of tokens) {
        const [, payload, signature] = token.split('.');
        expect(output.includes(signature), `token ${tokens.indexOf(token)} signature leaked`).toBe(false);
        expect(output.includes(payload), `token ${tokens.indexOf(token)} payload leaked`).toBe(false);
      }
    } finally {
      if (app.child.exitCode === null) app.child.kill('SIGKILL');
      await issuer.stop();
      await dropTenants();
    }
  }, 60_000);
});
