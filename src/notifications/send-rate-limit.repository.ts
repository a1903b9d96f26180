import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface WindowCount {
  sent: number;
  retryAfterSeconds: number;
}

/**
 * The per-tenant send counter: a fixed window per tenant in Postgres, so every instance shares
 * one budget. Counting happens inside the send's transaction: a rejected or failed send rolls
 * its increment back. The row lock also serialises a tenant's concurrent sends for that instant.
 */
@Injectable()
export class SendRateLimitRepository {
  async increment(manager: EntityManager, tenantId: string, windowSeconds: number): Promise<WindowCount> {
    const [row]: { sent: number; retry_after: number }[] = await manager.query(
      `INSERT INTO notification_send_windows AS w (tenant_id, window_start, sent)
       VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) / $2) * $2), 1)
       ON CONFLICT (tenant_id, window_start) DO UPDATE SET sent = w.sent + 1
       RETURNING w.sent, greatest(1, ceil(extract(epoch FROM w.window_start + $2 * interval '1 second' - now())))::int AS retry_after`,
      [tenantId, windowSeconds],
    );
    if (row!.sent === 1) {
      // First send of a window: drop the tenant's finished windows (cheap, on the primary key).
      await manager.query(`DELETE FROM notification_send_windows WHERE tenant_id = $1 AND window_start < now() - $2 * interval '1 second'`, [tenantId, windowSeconds]);
    }
    return { sent: row!.sent, retryAfterSeconds: row!.retry_after };
  }
}
