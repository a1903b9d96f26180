import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../../auth/principal.js';
import { TenantDb } from '../../database/tenant-db.js';
import { IdempotencyError } from './idempotency.errors.js';
import { IdempotencyRepository, type IdempotencyRecord, type IdempotencyScope } from './idempotency.repository.js';
import { requestHash } from './request-hash.js';

/** For bodies that are streamed (imports): the hash is only known once the body has been read. */
export interface StreamedRequestHash {
  /** The hash of what the work consumed (called after the work). */
  final(): string;
  /** Reads the rest of an unread body and returns its hash (to compare a retry with the original). */
  drain(): Promise<string>;
}

export interface IdempotentRequest {
  /** The client's Idempotency-Key; without one the work simply runs. */
  key?: string;
  /** Names the operation: the same key on another operation is a reuse (422). */
  operation: string;
  /** The validated input (path ids included); its canonical hash identifies "the same request". */
  request?: unknown;
  streamed?: StreamedRequestHash;
  /** The status the first response had, replayed with it (default 201). */
  status?: number;
}

export interface IdempotentOutcome<T> {
  value: T;
  /** true when this is a replay of the first response: the work did not run again. */
  replayed: boolean;
}

// Expired keys are deleted now and then on the write path (per tenant: RLS allows no other).
const PURGE_ONE_IN = 20;

/**
 * Idempotent execution of a write: per tenant + client + key, in Postgres. The key is claimed in
 * its own committed transaction (so a concurrent duplicate sees it and gets 409), then the work
 * and the stored response commit together in one transaction — the effect and its record cannot
 * diverge. A failed work releases the claim so the corrected retry executes (catalog T83–T87).
 */
@Injectable()
export class IdempotencyService {
  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repository: IdempotencyRepository,
  ) {}

  async run<T>(principal: Principal, request: IdempotentRequest, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return (await this.execute(principal, request, work)).value;
  }

  async execute<T>(principal: Principal, request: IdempotentRequest, work: (manager: EntityManager) => Promise<T>): Promise<IdempotentOutcome<T>> {
    if (request.key === undefined) return { value: await this.tenantDb.write(principal.tenantId, work), replayed: false };
    const scope: IdempotencyScope = { tenantId: principal.tenantId, clientId: principal.clientId, key: request.key };
    const hash = request.streamed ? null : requestHash(request.request);
    const token = randomUUID();
    const existing = await this.tenantDb.run(principal.tenantId, async (manager) => {
      if (Math.floor(Math.random() * PURGE_ONE_IN) === 0) await this.repository.purgeExpired(manager, scope.tenantId);
      if (await this.repository.claim(manager, scope, request.operation, hash, token)) return undefined;
      return (await this.repository.find(manager, scope)) ?? null;
    });
    if (existing === null) throw IdempotencyError.inFlight(); // claimed and released in between: retry
    if (existing) return { value: await this.replay<T>(existing, request, hash), replayed: true };
    try {
      const value = await this.tenantDb.write(principal.tenantId, async (manager) => {
        const result = await work(manager);
        const finalHash = request.streamed ? request.streamed.final() : null;
        const completed = await this.repository.complete(manager, scope, token, finalHash, request.status ?? 201, JSON.stringify(result));
        if (!completed) throw IdempotencyError.claimLost();
        return result;
      });
      return { value, replayed: false };
    } catch (error) {
      await this.tenantDb.run(principal.tenantId, (manager) => this.repository.release(manager, scope, token)).catch(() => undefined);
      throw error;
    }
  }

  private async replay<T>(record: IdempotencyRecord, request: IdempotentRequest, hash: string | null): Promise<T> {
    if (record.operation !== request.operation) throw IdempotencyError.reused();
    if (record.state === 'in_flight') throw IdempotencyError.inFlight();
    const retryHash = request.streamed ? await request.streamed.drain() : hash;
    if (record.request_hash !== retryHash) throw IdempotencyError.reused();
    return JSON.parse(record.response_text ?? 'null') as T;
  }
}
