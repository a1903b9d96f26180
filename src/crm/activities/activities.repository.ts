import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
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

  async forOpportunity(manager: EntityManager, tenantId: string, opportunityId: string, limit: number): Promise<ActivityRow[]> {
    return manager.query(
      `SELECT ${COLUMNS} FROM activities WHERE tenant_id = $1 AND opportunity_id = $2 ORDER BY occurred_at DESC, id DESC LIMIT $3`,
      [tenantId, opportunityId, limit],
    );
  }
}
