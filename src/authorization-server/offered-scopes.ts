import { ALL_SCOPES, scopeSatisfies, type Scope } from '../auth/scope.js';

/** `mcp:tools:sales-data` for `mcp:tools:sales-data:read`: the resource a catalog scope acts on. */
export function parentScope(scope: string): string {
  return scope.slice(0, scope.lastIndexOf(':'));
}

/**
 * What the embedded authorization server lets clients ask for, derived from the catalog: every
 * catalog scope, plus each one's parent (`mcp:tools:sales-data`), which the resource server's
 * matching already treats as granting all of its children. No wildcards (omnibus scopes are what
 * scope minimisation warns against).
 */
export function offeredScopes(): string[] {
  return [...new Set([...ALL_SCOPES, ...ALL_SCOPES.map(parentScope)])];
}

/**
 * The offered scopes a client holding `allowed` catalog scopes may request: its own, and each
 * parent all of whose catalog children it holds (so `acme-analyst` may ask for
 * `mcp:tools:sales-data`, but not for `mcp:tools:crm`, which would include `crm:write`).
 */
export function requestableScopes(allowed: readonly Scope[]): string[] {
  return offeredScopes().filter((offered) => {
    const covered = ALL_SCOPES.filter((scope) => scopeSatisfies(offered, scope));
    return covered.length > 0 && covered.every((scope) => allowed.includes(scope));
  });
}
