import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface IdempotencyRecord {
  operation: string;
  request_hash: string | null;
  state: 'in_flight' | 'completed';
  response_status: number | null;
  /** The response as its exact JSON text (stored as a jsonb string: jsonb would reorder keys). */
  response_text: string | null;
}

export interface IdempotencyScope {
  tenantId: string;
  clientId: string;
  key: string;
}

// A claim left in flight this long belongs to a process that died; its work never committed
// (completion is in the work's own transaction), so the key may be claimed again.
const ABANDONED_AFTER = `interval '15 minutes'`;
const RETENTION = `interval '24 hours'`;

/** SQL for idempotency keys. Every statement runs inside TenantDb.run and filters by tenant. */
@Injectable()
export class IdempotencyRepository {
  /** Claims the key (fresh, expired or abandoned); returns false when another request holds it. */
  async claim(manager: EntityManager, scope: IdempotencyScope, operation: string, hash: string | null, token: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO idempotency_keys (tenant_id, client_id, key, operation, request_hash, state, claim_token, expires_at)
       VALUES ($1, $2, $3, $4, $5, 'in_flight', $6, now() + ${RETENTION})
       ON CONFLICT (tenant_id, client_id, key) DO UPDATE
         SET operation = EXCLUDED.operation, request_hash = EXCLUDED.request_hash, state = 'in_flight',
             claim_token = EXCLUDED.claim_token, response_status = NULL, response_body = NULL,
             created_at = now(), expires_at = EXCLUDED.expires_at
         WHERE idempotency_keys.expires_at <= now()
            OR (idempotency_keys.state = 'in_flight' AND idempotency_keys.created_at < now() - ${ABANDONED_AFTER})
       RETURNING 1`,
      [scope.tenantId, scope.clientId, scope.key, operation, hash, token],
    );
    return rows.length === 1;
  }

  async find(manager: EntityManager, scope: IdempotencyScope): Promise<IdempotencyRecord | undefined> {
    const rows: IdempotencyRecord[] = await manager.query(
      `SELECT operation, request_hash, state, response_status, response_body #>> '{}' AS response_text
         FROM idempotency_keys WHERE tenant_id = $1 AND client_id = $2 AND key = $3`,
      [scope.tenantId, scope.clientId, scope.key],
    );
    return rows[0];
  }

  /** Records the outcome; false when the claim was lost (then the caller's transaction must roll back). */
  async complete(manager: EntityManager, scope: IdempotencyScope, token: string, hash: string | null, status: number, responseText: string): Promise<boolean> {
    const result = await manager.queryRunner!.query(
      `UPDATE idempotency_keys SET state = 'completed', response_status = $5, response_body = to_jsonb($6::text),
              request_hash = COALESCE($7, request_hash)
        WHERE tenant_id = $1 AND client_id = $2 AND key = $3 AND claim_token = $4 AND state = 'in_flight'`,
      [scope.tenantId, scope.clientId, scope.key, token, status, responseText, hash],
      true,
    );
    return result.affected === 1;
  }

  async release(manager: EntityManager, scope: IdempotencyScope, token: string): Promise<void> {
    await manager.query(
      `DELETE FROM idempotency_keys WHERE tenant_id = $1 AND client_id = $2 AND key = $3 AND claim_token = $4 AND state = 'in_flight'`,
      [scope.tenantId, scope.clientId, scope.key, token],
    );
  }

  async purgeExpired(manager: EntityManager, tenantId: string): Promise<void> {
    await manager.query(`DELETE FROM idempotency_keys WHERE tenant_id = $1 AND expires_at < now()`, [tenantId]);
  }
}
