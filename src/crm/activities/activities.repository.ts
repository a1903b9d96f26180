import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { KeysetPosition } from '../../common/pagination/pagination.js';
import type { ActivityType } from '../shared/crm.schemas.js';

export interface ActivityRow {
  id: string;
  external_id: string | null;
  account_id: string | null;
  opportunity_id: string | null;
  type: ActivityType;
  subject: string;
  body: string | null;
  occurred_at: Date;
  created_by: string;
  created_at: Date;
}

export interface ActivityValues {
  externalId: string | null;
  accountId: string | null;
  opportunityId: string | null;
  type: ActivityType;
  subject: string;
  body: string | null;
  occurredAt: string | null;
  createdBy: string;
}

const COLUMNS = 'id, external_id, account_id, opportunity_id, type, subject, body, occurred_at, created_by, created_at';

/** Activities SQL. Every statement filters by tenant_id and runs inside TenantDb.run (RLS underneath). */
@Injectable()
export class ActivitiesRepository {
  async insert(manager: EntityManager, tenantId: string, values: ActivityValues): Promise<ActivityRow> {
    const rows: ActivityRow[] = await manager.query(
      `INSERT INTO activities (tenant_id, external_id, account_id, opportunity_id, type, subject, body, occurred_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE($8::timestamptz, now()), $9) RETURNING ${COLUMNS}`,
      [tenantId, values.externalId, values.accountId, values.opportunityId, values.type, values.subject, values.body, values.occurredAt, values.createdBy],
    );
    return rows[0]!;
  }

  /**
   * An opportunity's activities, newest first by `occurred_at` (ties by id): keyset pages, the
   * cursor carrying the last row's occurred_at in its `createdAt` slot (cursors are opaque).
   */
  async listForOpportunity(manager: EntityManager, tenantId: string, opportunityId: string, after: KeysetPosition | undefined, limit: number): Promise<(ActivityRow & { cursor_created_at: string })[]> {
    const keyset = after ? 'AND (occurred_at, id) < ($4::timestamptz, $5::uuid)' : '';
    return manager.query(
      `SELECT ${COLUMNS}, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_created_at
         FROM activities WHERE tenant_id = $1 AND opportunity_id = $2 ${keyset}
        ORDER BY occurred_at DESC, id DESC LIMIT $3`,
      after ? [tenantId, opportunityId, limit, after.createdAt, after.id] : [tenantId, opportunityId, limit],
    );
  }
}
