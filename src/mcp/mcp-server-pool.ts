import { Injectable } from '@nestjs/common';
import type { McpServer } from '@modelcontextprotocol/server';
import { hasScopes, type Scope } from '../auth/scope.js';
import { McpDirectExchange } from './mcp-direct-exchange.js';
import { McpRegistry } from './mcp-registry.js';
import { McpServerFactory } from './mcp-server-factory.js';

// Idle servers kept per scope set: enough for the concurrency of one instance, bounded memory.
const MAX_IDLE_PER_SET = 32;
// Distinct scope strings remembered (tokens of one client share theirs); cleared when full.
const MAX_REMEMBERED_GRANTS = 1_000;

export interface PermittedSet {
  /** The registry scopes the caller holds, as a key: one pool per distinct set. */
  key: string;
  scopes: ReadonlySet<Scope>;
}

/**
 * Building an McpServer (registering every tool with its zod schemas) costs more than serving a
 * call, so servers are built once per *permitted scope set* and reused: a server that finished an
 * exchange is closed (detached from its transport) and returns to the pool of its set. Only
 * stateless methods reuse a server; `initialize`, `logging/setLevel` and notifications get a fresh
 * one that is thrown away, so no client's handshake state can reach another caller.
 * Plain calls go further: their servers stay connected to a direct exchange (see
 * McpDirectExchange), pooled the same way, so they are neither connected nor closed per request.
 */
@Injectable()
export class McpServerPool {
  private readonly idle = new Map<string, McpServer[]>();
  private readonly idleExchanges = new Map<string, McpDirectExchange[]>();
  private readonly grants = new Map<string, PermittedSet>();

  constructor(
    private readonly registry: McpRegistry,
    private readonly factory: McpServerFactory,
  ) {}

  permittedFor(granted: readonly string[]): PermittedSet {
    const cacheKey = granted.join(' ');
    let set = this.grants.get(cacheKey);
    if (!set) {
      const scopes = this.registry.scopes.filter((scope) => hasScopes(granted, [scope]));
      set = { key: scopes.join(' '), scopes: new Set(scopes) };
      if (this.grants.size >= MAX_REMEMBERED_GRANTS) this.grants.clear();
      this.grants.set(cacheKey, set);
    }
    return set;
  }

  acquire(set: PermittedSet): McpServer {
    return this.idle.get(set.key)?.pop() ?? this.factory.build(set.scopes);
  }

  /** An idle exchange of the set, or a new one (a new server, connected once for its life). */
  acquireExchange(set: PermittedSet): Promise<McpDirectExchange> | McpDirectExchange {
    return this.idleExchanges.get(set.key)?.pop() ?? McpDirectExchange.connect(this.factory.build(set.scopes));
  }

  /** Returns an exchange whose call has settled to its set's pool. */
  releaseExchange(set: PermittedSet, exchange: McpDirectExchange): void {
    if (!exchange.busy) keepIdle(this.idleExchanges, set, exchange);
  }

  /** A fresh server that will not be pooled (for stateful methods). */
  fresh(set: PermittedSet): McpServer {
    return this.factory.build(set.scopes);
  }

  /** Returns a closed server (no transport) to its set's pool. */
  release(set: PermittedSet, server: McpServer): void {
    if (!server.isConnected()) keepIdle(this.idle, set, server);
  }
}

/** Keeps an idle item in its set's pool, up to the bound (beyond it, the item is left to the GC). */
function keepIdle<T>(pools: Map<string, T[]>, set: PermittedSet, item: T): void {
  const idle = pools.get(set.key) ?? [];
  if (idle.length < MAX_IDLE_PER_SET) idle.push(item);
  pools.set(set.key, idle);
}
