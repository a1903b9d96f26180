import { describe, expect, it } from 'vitest';
import { ALL_SCOPES, Scope } from '../auth/scope.js';
import { offeredScopes, parentScope, requestableScopes } from './offered-scopes.js';

describe('offered scopes (derived from the catalog)', () => {
  it('when the catalog is read, then every scope and each parent are offered once, and no wildcard', () => {
    const offered = offeredScopes();
    expect(offered).toEqual(expect.arrayContaining([...ALL_SCOPES]));
    expect(offered).toEqual(expect.arrayContaining(['mcp:tools:sales-data', 'mcp:tools:crm', 'mcp:resources:customer-insights']));
    expect(new Set(offered).size).toBe(offered.length);
    expect(offered.filter((scope) => scope.includes('*'))).toEqual([]);
  });

  it('when a client holds some catalog scopes, then it may request those and only the parents it holds entirely', () => {
    const analyst = requestableScopes([Scope.SalesDataRead, Scope.CrmRead, Scope.CustomerInsightsRead]);
    expect(analyst.sort()).toEqual(
      [Scope.SalesDataRead, Scope.CrmRead, Scope.CustomerInsightsRead, 'mcp:tools:sales-data', 'mcp:resources:customer-insights'].sort(),
    );
    expect(requestableScopes([Scope.CrmRead, Scope.CrmWrite])).toContain('mcp:tools:crm');
    expect(requestableScopes([])).toEqual([]);
  });

  it('when a scope is split, then its parent is everything before the last colon', () => {
    expect(parentScope('mcp:tools:sales-data:read')).toBe('mcp:tools:sales-data');
  });
});
