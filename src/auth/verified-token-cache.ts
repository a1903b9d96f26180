import { hash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Principal } from './principal.js';

/** What verification established about a token, and under which key set. */
export interface VerifiedToken {
  principal: Principal;
  /** The `kid` it was verified with: a hit still asks the key store about it (rotation, outage). */
  kid: string;
  /** `JwksKeyStore.generation` at verification: any key-set change invalidates the entry. */
  generation: number;
}

interface Entry extends VerifiedToken {
  /** `exp` in ms: the entry is never used at or after it (the clock tolerance is for full checks only). */
  expiresAtMs: number;
}

const DEFAULT_CAPACITY = 10_000;

/**
 * A bounded memory of tokens that passed full verification (signature, claims), so that an agent
 * reusing one token for many calls pays the RSA/ECDSA verify once (PERF-NOTES.md). Keyed by the
 * token's SHA-256, never the token itself; an entry lives until the token's `exp` and dies with
 * any key-set change. Everything per request still runs on a hit: the key store lookup (refresh,
 * stale window, 503), the tenant check and the scope check. Only successes are remembered.
 */
@Injectable()
export class VerifiedTokenCache {
  /** How many tokens are remembered at most; 0 turns the cache off. Oldest-inserted are dropped first. */
  capacity = DEFAULT_CAPACITY;
  private readonly entries = new Map<string, Entry>();

  keyOf(token: string): string {
    return hash('sha256', token, 'base64url');
  }

  get size(): number {
    return this.entries.size;
  }

  /** The entry for `key` if it is still usable under `generation` at `nowMs`; a copy, so callers cannot alter the cache. */
  get(key: string, generation: number, nowMs: number): VerifiedToken | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.generation !== generation || nowMs >= entry.expiresAtMs) {
      this.entries.delete(key);
      return undefined;
    }
    return { kid: entry.kid, generation: entry.generation, principal: { ...entry.principal, scopes: [...entry.principal.scopes] } };
  }

  set(key: string, verified: VerifiedToken, nowMs: number): void {
    const expiresAtMs = verified.principal.expiresAt * 1000;
    if (this.capacity <= 0 || expiresAtMs <= nowMs) return;
    this.entries.delete(key);
    while (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    const principal = { ...verified.principal, scopes: [...verified.principal.scopes] };
    this.entries.set(key, { kid: verified.kid, generation: verified.generation, principal, expiresAtMs });
  }

  clear(): void {
    this.entries.clear();
  }
}
