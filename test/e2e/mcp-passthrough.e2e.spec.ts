import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scope } from '../../src/auth/scope.js';
import { connectMcp, postRpc } from '../helpers/mcp-client.js';
import { DELIVERY_ENV, startNotifyFixture, type NotifyFixture } from '../helpers/notify-fixture.js';
import { NotifyReceiver } from '../helpers/notify-receiver.js';

// Catalog T62: the one tool that talks to the outside world, end to end to a recording receiver.
describe('no token passthrough: notifications_send delivers to a recording downstream without the caller’s token', () => {
  let f: NotifyFixture;
  let receiver: NotifyReceiver;

  beforeAll(async () => {
    receiver = await new NotifyReceiver().start();
    f = await startNotifyFixture({ ...DELIVERY_ENV, RATE_LIMIT_ENABLED: 'false' });
    await f.createDestination({ type: 'webhook', name: 'recorder', url: receiver.route('/hook') });
  });
  afterAll(async () => {
    await f?.close();
    await receiver?.stop();
  });

  it('when an agent sends through MCP (both eras) and the seed RPC route, then the delivered requests carry none of its tokens', async () => {
    const tokens = [0, 1, 2].map(() => f.auth.token({ claims: { org_id: f.tenantA, scope: Scope.NotificationsSend, jti: randomUUID() } }));
    const ids: string[] = [];
    for (const [index, era] of (['legacy', 'modern'] as const).entries()) {
      const client = await connectMcp(f.baseUrl, tokens[index], era);
      const result = await client.callTool({ name: 'notifications_send', arguments: { destination: 'recorder', subject: `via MCP ${era}` } });
      expect(result.isError).toBeFalsy();
      ids.push((result.structuredContent as { id: string }).id);
      await client.close();
    }
    const rpc = await postRpc(f.baseUrl, 'tools/notifications', { method: 'notifications/send', params: { destination: 'recorder', subject: 'via RPC' } }, tokens[2]);
    expect(rpc.status).toBe(200);
    ids.push(((await rpc.json()) as { result: { id: string } }).result.id);
    for (const id of ids) await f.waitForStatus(id, ['delivered']);

    const delivered = receiver.on('/hook');
    expect(delivered.length).toBeGreaterThanOrEqual(3);
    for (const request of delivered) {
      const everything = JSON.stringify(request.headers) + request.body;
      for (const token of tokens) {
        const [, payload, signature] = token.split('.');
        expect(everything).not.toContain(signature);
        expect(everything).not.toContain(payload);
      }
      expect(request.headers.authorization).toBeUndefined();
    }
  });
});
