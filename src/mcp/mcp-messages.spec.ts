import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { DiscoveryService } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Scope } from '../auth/scope.js';
import { McpCapabilities, McpResource, McpTool } from './mcp.decorators.js';
import { directRequestOf, isStateless, itemMessages, messagesOf, needsStream } from './mcp-messages.js';
import { McpRegistry } from './mcp-registry.js';

Logger.overrideLogger(false);

@McpCapabilities()
class Items {
  @McpTool({ name: 'crm_get_account', title: 't', description: 'd', scope: Scope.CrmRead, output: z.object({}), annotations: { readOnlyHint: true } })
  get() {
    return {};
  }

  @McpResource({ name: 'account-insights', title: 't', description: 'd', scope: Scope.CustomerInsightsRead, uri: 'insights://accounts/{accountId}', mimeType: 'application/json', params: z.object({ accountId: z.string() }) })
  insights() {
    return {};
  }
}

const registry = new McpRegistry({ getProviders: () => [{ metatype: Items, instance: new Items() }] } as unknown as DiscoveryService);

describe('itemMessages', () => {
  it('when a batch mixes calls, reads and other methods, then every call and read is found with its scope', () => {
    const batch = [
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'crm_get_account', arguments: { accountId: 'a' } } },
      { jsonrpc: '2.0', id: 3, method: 'resources/read', params: { uri: 'insights://accounts/a' } },
      { jsonrpc: '2.0', id: 4, method: 'resources/subscribe', params: { uri: 'insights://accounts/a' } },
    ];
    expect(itemMessages(registry, messagesOf(batch))).toEqual([
      { id: 2, kind: 'tool', name: 'crm_get_account', args: { accountId: 'a' }, scope: Scope.CrmRead, audited: true },
      { id: 3, kind: 'resource', name: 'account-insights', args: { uri: 'insights://accounts/a' }, scope: Scope.CustomerInsightsRead, audited: true },
      { id: 4, kind: 'resource', name: 'account-insights', args: { uri: 'insights://accounts/a' }, scope: Scope.CustomerInsightsRead, audited: false },
    ]);
  });

  it('when a call names nothing registered, then it carries no scope (the SDK answers not found) and a bounded name', () => {
    const [item] = itemMessages(registry, [{ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x'.repeat(500) } }]);
    expect(item.scope).toBeUndefined();
    expect(item.name).toHaveLength(200);
  });

  it('when messages are garbage (null, numbers, no params), then they are skipped without throwing', () => {
    expect(itemMessages(registry, [null, 3, { method: 'tools/call' }])).toEqual([{ id: undefined, kind: 'tool', name: '(none)', args: undefined, scope: undefined, audited: true }]);
  });
});

describe('isStateless', () => {
  it('when only list/call/read/get/ping are sent, then a pooled server may serve them; initialize, setLevel and notifications need a fresh one', () => {
    expect(isStateless([{ method: 'tools/call' }, { method: 'ping' }])).toBe(true);
    expect(isStateless([{ method: 'initialize' }])).toBe(false);
    expect(isStateless([{ method: 'logging/setLevel' }])).toBe(false);
    expect(isStateless([{ method: 'tools/list' }, { method: 'notifications/initialized' }])).toBe(false);
  });
});

describe('needsStream', () => {
  it('when a data tool, a read or a list is called, then one JSON body; a progress token or an unknown raw tool decides for a stream', () => {
    expect(needsStream(registry, [{ method: 'tools/call', params: { name: 'crm_get_account' } }, { method: 'resources/read', params: { uri: 'x' } }])).toBe(false);
    expect(needsStream(registry, [{ method: 'tools/call', params: { name: 'crm_get_account', _meta: { progressToken: 7 } } }])).toBe(true);
    expect(needsStream(registry, [{ method: 'tools/call', params: { name: 'no_such_tool' } }])).toBe(false);
  });
});

describe('directRequestOf', () => {
  const call = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'crm_get_account', arguments: { accountId: 'a' } } };
  const headers = { accept: 'application/json, text/event-stream', protocolVersion: '2025-11-25' };

  it('when one well-formed stateless request comes with acceptable headers, then it takes the direct exchange', () => {
    expect(directRequestOf(registry, call, headers)).toBe(call);
    expect(directRequestOf(registry, { jsonrpc: '2.0', id: 'x', method: 'tools/list' }, { ...headers, protocolVersion: undefined })).toBeDefined();
  });

  it('when the body or headers are anything the SDK transport answers itself, then it is left to the transport', () => {
    const cases: [string, unknown, typeof headers | { accept: string | undefined; protocolVersion: string | undefined }][] = [
      ['a batch', [call], headers],
      ['initialize', { jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }, headers],
      ['a notification', { jsonrpc: '2.0', method: 'notifications/initialized' }, headers],
      ['a progress token (may stream)', { ...call, params: { ...call.params, _meta: { progressToken: 1 } } }, headers],
      ['no jsonrpc member', { id: 7, method: 'tools/call', params: call.params }, headers],
      ['Accept without SSE (406)', call, { ...headers, accept: 'application/json' }],
      ['no Accept (406)', call, { ...headers, accept: undefined }],
      ['an unsupported protocol version (400)', call, { ...headers, protocolVersion: '1999-01-01' }],
    ];
    for (const [name, body, given] of cases) expect(directRequestOf(registry, body, given), name).toBeUndefined();
  });
});
