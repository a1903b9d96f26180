import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { DiscoveryService } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import { Scope } from '../auth/scope.js';
import { McpCapabilities, McpPrompt, McpResource, McpTool } from './mcp.decorators.js';
import { McpRegistry } from './mcp-registry.js';

Logger.overrideLogger(false);

const READ = { readOnlyHint: true } as const;

@McpCapabilities()
class SampleTools {
  @McpTool({ name: 'sales_get_forecast', title: 'Forecast', description: 'd', scope: Scope.SalesDataRead, input: z.object({ region: z.string() }), output: z.object({ total: z.number() }), annotations: READ })
  forecast(_principal: Principal, input: { region: string }) {
    return { total: input.region.length };
  }

  @McpTool({ name: 'notifications_send', title: 'Send', description: 'd', scope: Scope.NotificationsSend, output: z.object({ id: z.string() }), rpcMethod: 'notify/send', annotations: { readOnlyHint: false } })
  send() {
    return { id: 'n1' };
  }

  @McpResource({ name: 'account-insights', title: 'Insights', description: 'd', scope: Scope.CustomerInsightsRead, uri: 'insights://accounts/{accountId}', mimeType: 'application/json', params: z.object({ accountId: z.string() }), rpcMethod: 'insights/get_account' })
  insights() {
    return {};
  }

  @McpPrompt({ name: 'forecast_review', title: 'Review', description: 'd', scope: Scope.SalesDataRead })
  review() {
    return { messages: [] };
  }
}

function registryOf(...classes: (new () => object)[]): McpRegistry {
  const wrappers = classes.map((metatype) => ({ metatype, instance: new metatype() }));
  return new McpRegistry({ getProviders: () => wrappers } as unknown as DiscoveryService);
}

describe('McpRegistry', () => {
  it('when a provider declares tools, a resource and a prompt, then each is registered under its scope', () => {
    const registry = registryOf(SampleTools);
    expect([...registry.tools.keys()]).toEqual(['sales_get_forecast', 'notifications_send']);
    expect(registry.resources.map((entry) => entry.name)).toEqual(['account-insights']);
    expect([...registry.prompts.keys()]).toEqual(['forecast_review']);
    expect(registry.scopes).toEqual([Scope.CustomerInsightsRead, Scope.NotificationsSend, Scope.SalesDataRead].sort());
  });

  it('when a tool has an output schema, then its RPC twin lives on the route of its scope, method derived from its name unless given', () => {
    const registry = registryOf(SampleTools);
    expect(registry.tools.get('sales_get_forecast')!.rpc).toEqual({ kind: 'tools', group: 'sales-data', method: 'sales/get_forecast' });
    expect(registry.rpc('tools', 'sales-data', 'sales/get_forecast')?.name).toBe('sales_get_forecast');
    expect(registry.rpc('tools', 'notifications', 'notify/send')?.name).toBe('notifications_send');
    expect(registry.rpc('resources', 'customer-insights', 'insights/get_account')?.name).toBe('account-insights');
    // A method is only reachable on its own route.
    expect(registry.rpc('tools', 'crm', 'sales/get_forecast')).toBeUndefined();
  });

  it('when a URI matches a template, then the entry and its variables are found; other URIs match nothing', () => {
    const registry = registryOf(SampleTools);
    expect(registry.resourceFor('insights://accounts/42')).toMatchObject({ entry: { name: 'account-insights' }, variables: { accountId: '42' } });
    expect(registry.resourceFor('insights://contacts/42')).toBeUndefined();
  });

  it('when a handler is invoked, then it runs on the provider instance', async () => {
    const registry = registryOf(SampleTools);
    expect(await registry.tools.get('sales_get_forecast')!.invoke({}, { region: 'EMEA' })).toEqual({ total: 4 });
  });

  it('when the same class is provided by two modules, then it counts once; two classes declaring one name fail at boot', () => {
    const wrappers = [SampleTools, SampleTools].map((metatype) => ({ metatype, instance: new metatype() }));
    expect(() => new McpRegistry({ getProviders: () => wrappers } as unknown as DiscoveryService)).not.toThrow();
    @McpCapabilities()
    class Clash {
      @McpTool({ name: 'sales_get_forecast', title: 't', description: 'd', scope: Scope.SalesDataRead, output: z.object({}), annotations: READ })
      other() {
        return {};
      }
    }
    expect(() => registryOf(SampleTools, Clash)).toThrow(/declared twice/);
  });

  it('when a tool name is not snake_case, then boot fails', () => {
    @McpCapabilities()
    class BadName {
      @McpTool({ name: 'Sales-Forecast', title: 't', description: 'd', scope: Scope.SalesDataRead, output: z.object({}), annotations: READ })
      tool() {
        return {};
      }
    }
    expect(() => registryOf(BadName)).toThrow(/snake_case/);
  });
});
