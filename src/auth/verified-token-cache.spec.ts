import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Principal } from './principal.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

const NOW = 1_800_000_000_000;
const principal = (overrides: Partial<Principal> = {}): Principal => ({
  subject: 'user-a1',
  clientId: 'client-1',
  tenantId: 'tenant-a',
  scopes: ['mcp:tools:crm:read'],
  tokenId: 'j-1',
  expiresAt: NOW / 1000 + 300,
  ...overrides,
});

describe('VerifiedTokenCache', () => {
  it('when a verified token is stored, then it is found under the same generation and keyed by its SHA-256, not the token', () => {
    const cache = new VerifiedTokenCache();
    const key = cache.keyOf('header.payload.signature');
    expect(key).toBe(createHash('sha256').update('header.payload.signature').digest('base64url'));
    expect(key).not.toContain('payload');
    cache.set(key, { principal: principal(), kid: 'k1', generation: 3 }, NOW);
    expect(cache.get(key, 3, NOW)).toEqual({ principal: principal(), kid: 'k1', generation: 3 });
    expect(cache.get(cache.keyOf('header.payload.signaturf'), 3, NOW)).toBeUndefined();
  });

  it('when the key-set generation has moved, then the entry is gone', () => {
    const cache = new VerifiedTokenCache();
    cache.set('k', { principal: principal(), kid: 'k1', generation: 3 }, NOW);
    expect(cache.get('k', 4, NOW)).toBeUndefined();
    expect(cache.get('k', 3, NOW)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('when exp is reached, then the entry is gone (no clock tolerance on the shortcut); an expired token is never stored', () => {
    const cache = new VerifiedTokenCache();
    cache.set('k', { principal: principal({ expiresAt: NOW / 1000 + 10 }), kid: 'k1', generation: 1 }, NOW);
    expect(cache.get('k', 1, NOW + 9_999)).toBeDefined();
    expect(cache.get('k', 1, NOW + 10_000)).toBeUndefined();
    cache.set('old', { principal: principal({ expiresAt: NOW / 1000 }), kid: 'k1', generation: 1 }, NOW);
    expect(cache.size).toBe(0);
  });

  it('when full, then the oldest entries make room, and the size never exceeds the capacity', () => {
    const cache = new VerifiedTokenCache();
    cache.capacity = 3;
    for (const name of ['a', 'b', 'c', 'd', 'e']) cache.set(name, { principal: principal({ subject: name }), kid: 'k1', generation: 1 }, NOW);
    expect(cache.size).toBe(3);
    expect(cache.get('a', 1, NOW)).toBeUndefined();
    expect(cache.get('b', 1, NOW)).toBeUndefined();
    expect(cache.get('e', 1, NOW)?.principal.subject).toBe('e');
  });

  it('when the capacity is 0, then nothing is remembered (the cache is off)', () => {
    const cache = new VerifiedTokenCache();
    cache.capacity = 0;
    cache.set('k', { principal: principal(), kid: 'k1', generation: 1 }, NOW);
    expect(cache.get('k', 1, NOW)).toBeUndefined();
  });

  it('when a caller alters the principal it got, then the cached one is unchanged', () => {
    const cache = new VerifiedTokenCache();
    const stored = principal();
    cache.set('k', { principal: stored, kid: 'k1', generation: 1 }, NOW);
    stored.scopes.push('mcp:*');
    const first = cache.get('k', 1, NOW)!;
    first.principal.scopes.push('mcp:tools:crm:write');
    first.principal.tenantId = 'tenant-b';
    expect(cache.get('k', 1, NOW)!.principal).toEqual(principal());
  });
});
