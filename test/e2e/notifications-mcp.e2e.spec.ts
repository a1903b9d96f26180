import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scope } from '../../src/auth/scope.js';
import { connectMcp, postMcp, postRpc, rpcMessages } from '../helpers/mcp-client.js';
import { startNotifyFixture, type NotifyFixture } from '../helpers/notify-fixture.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Result = any;

// The MCP tool and the seed RPC method are adapters of the same service method as REST.
describe('notifications_send over MCP and the seed RPC route notifications/send', () => {
  let f: NotifyFixture;
  const token = (scope: string) => f.auth.token({ claims: { org_id: f.tenantA, scope } });
  const count = async () =>
    (await f.owner.query(`SELECT count(*)::int AS n FROM notifications WHERE tenant_id = $1`, [f.tenantA]))[0].n as number;

  beforeAll(async () => {
    f = await startNotifyFixture({ NOTIFY_ALLOW_LOCAL_HOSTS: '127.0.0.2', NOTIFY_RATE_LIMIT: '1000' });
    await f.createDestination({ type: 'webhook', name: 'agents', url: 'http://127.0.0.2:9/agents' });
  });
  afterAll(() => f?.close());

  it('when the token holds notifications:send, then tools/list offers notifications_send with its schemas; without it, not', async () => {
    const sender = await connectMcp(f.baseUrl, token(Scope.NotificationsSend));
    const reader = await connectMcp(f.baseUrl, token(Scope.CrmRead));
    try {
      const tool = (await sender.listTools()).tools.find((candidate) => candidate.name === 'notifications_send');
      expect(tool?.inputSchema.properties).toHaveProperty('destination');
      expect(tool?.inputSchema.properties).toHaveProperty('idempotencyKey');
      expect(tool?.outputSchema?.properties).toHaveProperty('id');
      expect(tool?.annotations).toMatchObject({ readOnlyHint: false, openWorldHint: true });
      expect((await reader.listTools()).tools.map((candidate) => candidate.name)).not.toContain('notifications_send');
    } finally {
      await sender.close();
      await reader.close();
    }
  });

  it('when the tool is called twice with one idempotencyKey, then one notification is queued and both calls return it', async () => {
    const client = await connectMcp(f.baseUrl, token(Scope.NotificationsSend));
    try {
      const before = await count();
      const args = { destination: 'agents', subject: 'Forecast gap in EMEA', severity: 'warning', idempotencyKey: randomUUID() };
      const first: Result = await client.callTool({ name: 'notifications_send', arguments: args });
      const again: Result = await client.callTool({ name: 'notifications_send', arguments: args });
      expect(first.isError).toBeFalsy();
      expect(first.structuredContent).toEqual({ id: expect.any(String), status: 'pending' });
      expect(again.structuredContent).toEqual(first.structuredContent);
      expect(await count()).toBe(before + 1);
      const read = await f.call('GET', `/notifications/${first.structuredContent.id}`);
      expect(read.body).toMatchObject({ subject: 'Forecast gap in EMEA', severity: 'warning', source: 'api' });
    } finally {
      await client.close();
    }
  });

  it('when the tool is given a URL or an address to send to, then it is an error and nothing is queued', async () => {
    const client = await connectMcp(f.baseUrl, token(Scope.NotificationsSend));
    try {
      const before = await count();
      const asDestination: Result = await client.callTool({ name: 'notifications_send', arguments: { destination: 'https://evil.example/x', subject: 'x' } });
      const asExtra: Result = await client.callTool({ name: 'notifications_send', arguments: { destination: 'agents', subject: 'x', to: ['user-b1@tenantB.example'] } });
      const unknown: Result = await client.callTool({ name: 'notifications_send', arguments: { destination: 'nope', subject: 'x' } });
      expect([asDestination.isError, asExtra.isError, unknown.isError]).toEqual([true, true, true]);
      expect(asDestination.content[0].text).toMatch(/destination/);
      expect(unknown.content[0].text).toBe('not_found: Destination not found');
      expect(await count()).toBe(before);
    } finally {
      await client.close();
    }
  });

  it('when a token without notifications:send calls the tool, then HTTP 403 with the insufficient_scope challenge and nothing is queued', async () => {
    const before = await count();
    const response = await postMcp(f.baseUrl, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'notifications_send', arguments: { destination: 'agents', subject: 'x' } } }, token(Scope.CrmRead));
    expect(response.status).toBe(403);
    // MCP step-up: the challenge names the scopes held plus the one missing.
    expect(response.headers.get('www-authenticate')).toMatch(/error="insufficient_scope".* scope="[^"]*\bmcp:tools:notifications:send\b/);
    await rpcMessages(response);
    expect(await count()).toBe(before);
  });

  it('when the seed RPC method notifications/send is called, then it queues like the tool and shares its idempotency keys', async () => {
    const key = randomUUID();
    const params = { destination: 'agents', subject: 'Pipeline coverage below 3x', idempotencyKey: key };
    const rpc = await postRpc(f.baseUrl, 'tools/notifications', { method: 'notifications/send', params }, token(Scope.NotificationsSend));
    expect(rpc.status).toBe(200);
    const { result } = (await rpc.json()) as Result;
    expect(result).toEqual({ id: expect.any(String), status: 'pending' });

    const client = await connectMcp(f.baseUrl, token(Scope.NotificationsSend));
    const viaTool: Result = await client.callTool({ name: 'notifications_send', arguments: params });
    await client.close();
    expect(viaTool.structuredContent).toEqual(result);
    const viaRest = await f.call('POST', '/notifications', { scopes: [Scope.NotificationsSend], headers: { 'idempotency-key': key }, body: { destination: 'agents', subject: 'Pipeline coverage below 3x' } });
    expect(viaRest.body).toEqual(result);

    const denied = await postRpc(f.baseUrl, 'tools/notifications', { method: 'notifications/send', params }, token(Scope.CrmRead));
    expect(denied.status).toBe(403);
  });
});
