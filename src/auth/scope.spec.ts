import { describe, expect, it } from 'vitest';
import { ALL_SCOPES, hasScopes, missingScopes, Scope, SCOPE_DESCRIPTIONS, scopeSatisfies } from './scope.js';

// CONTRACT.md "Scopes": equal; `prefix:*` wildcard; parent grants child. Nothing else.
describe('scope matching (CONTRACT.md, catalog T28/T29)', () => {
  it('when granted equals required, then it is satisfied', () => {
    for (const scope of ALL_SCOPES) expect(scopeSatisfies(scope, scope)).toBe(true);
  });

  it('when granted is a parent of required, then it is satisfied (mcp:tools:crm grants mcp:tools:crm:write)', () => {
    expect(scopeSatisfies('mcp:tools:crm', Scope.CrmWrite)).toBe(true);
    expect(scopeSatisfies('mcp:tools:sales-data', Scope.SalesDataRead)).toBe(true);
    expect(scopeSatisfies('mcp:tools', Scope.CrmWrite)).toBe(true);
  });

  it('when granted is a child or sibling of required, then it is not satisfied', () => {
    expect(scopeSatisfies(Scope.CrmWrite, 'mcp:tools:crm')).toBe(false);
    expect(scopeSatisfies(Scope.CrmRead, Scope.CrmWrite)).toBe(false);
  });

  it('when granted ends in :*, then it covers exactly what starts with its prefix', () => {
    expect(scopeSatisfies('mcp:tools:*', Scope.CrmWrite)).toBe(true);
    expect(scopeSatisfies('mcp:*', Scope.CrmWrite)).toBe(true);
    expect(scopeSatisfies('mcp:tools:crm:*', Scope.CrmWrite)).toBe(true);
    expect(scopeSatisfies('mcp:resources:*', Scope.CustomerInsightsRead)).toBe(true);
    expect(scopeSatisfies('mcp:resources:*', Scope.CrmWrite)).toBe(false);
    expect(scopeSatisfies('mcp:tools:crm:write:*', Scope.CrmWrite)).toBe(false);
  });

  it('when the token carries glob-looking strings that are not a trailing :*, then they grant nothing (no pattern matching, T29)', () => {
    for (const granted of ['*', ':*', 'mcp:resources:*:write', 'mcp:tools:crm:wr*', 'mcp:tools:*:write', 'mcp:tools:crm:.*', '.*', 'mcp:tools:crm:write?']) {
      expect(scopeSatisfies(granted, Scope.CrmWrite), granted).toBe(false);
    }
  });

  it('when granted differs by a suffix, case, separator or whitespace, then it is not satisfied (T28)', () => {
    for (const granted of [
      'mcp:tools:crm:writer',
      'MCP:TOOLS:CRM:WRITE',
      'mcp:tools:crm:Write',
      'mcp:tools:crm:read,mcp:tools:crm:write',
      'mcp:tools:crm:readmcp:tools:crm:write',
      'mcp:tools:crm:read\tmcp:tools:crm:write',
      ' mcp:tools:crm:write',
      'mcp:tools:crm:write ',
      'mcp:tools:cr',
      'mcp:tools:crm:',
      '',
    ]) {
      expect(scopeSatisfies(granted, Scope.CrmWrite), JSON.stringify(granted)).toBe(false);
    }
  });

  it('when several scopes are required, then every one must be satisfied and the missing ones are listed', () => {
    const granted = [Scope.CrmRead, 'mcp:resources:*'];
    expect(hasScopes(granted, [Scope.CrmRead, Scope.CustomerInsightsRead])).toBe(true);
    expect(hasScopes(granted, [Scope.CrmRead, Scope.CrmWrite])).toBe(false);
    expect(missingScopes(granted, [Scope.CrmWrite, Scope.CrmRead, Scope.AuditRead])).toEqual([Scope.CrmWrite, Scope.AuditRead]);
    expect(missingScopes([], [Scope.CrmRead])).toEqual([Scope.CrmRead]);
    expect(hasScopes([], [])).toBe(true);
  });

  it('when the catalog is listed, then every scope is unique, described, and shaped mcp:<kind>:<area>:<action>', () => {
    expect(new Set(ALL_SCOPES).size).toBe(ALL_SCOPES.length);
    for (const scope of ALL_SCOPES) {
      expect(scope).toMatch(/^mcp:[a-z]+:[a-z-]+:[a-z]+$/);
      expect(SCOPE_DESCRIPTIONS[scope]).toBeTruthy();
    }
  });
});
