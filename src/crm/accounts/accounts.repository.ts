import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CURSOR_CREATED_AT_SQL, type KeysetPosition } from '../../common/pagination/pagination.js';
import { Conditions, containsPattern, execute, setClause } from '../shared/sql.js';
import type { Segment } from '../shared/crm.schemas.js';

export interface AccountRow {
  id: string;
  external_id: string | null;
  name: string;
  domain: string | null;
  industry: string | null;
  segment: Segment | null;
  region: string | null;
  owner: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  cursor_created_at: string;
}

export interface AccountFilter {
  q?: string;
  region?: string;
  segment?: Segment;
  owner?: string;
  after?: KeysetPosition;
  limit: number;
}

export interface AccountValues {
  externalId?: string | null;
  name?: string;
  domain?: string | null;
  industry?: string | null;
  segment?: Segment | null;
  region?: string | null;
  owner?: string | null;
}

const COLUMNS = `id, external_id, name, domain, industry, segment, region, owner, version, created_at, updated_at, ${CURSOR_CREATED_AT_SQL} AS cursor_created_at`;
const WRITABLE: Record<keyof AccountValues, string> = {
  externalId: 'external_id',
  name: 'name',
  domain: 'domain',
  industry: 'industry',
  segment: 'segment',
  region: 'region',
  owner: 'owner',
};

/** Accounts SQL. Every statement filters by tenant_id and runs inside TenantDb.run (RLS underneath). */
@Injectable()
export class AccountsRepository {
  async list(manager: EntityManager, tenantId: string, filter: AccountFilter): Promise<AccountRow[]> {
    const where = new Conditions(tenantId).add('tenant_id = $1');
    if (filter.q) where.add(`(name ILIKE $? OR domain ILIKE $?)`, containsPattern(filter.q), containsPattern(filter.q));
    if (filter.region) where.add('region = $?', filter.region);
    if (filter.segment) where.add('segment = $?', filter.segment);
    if (filter.owner) where.add('owner = $?', filter.owner);
    if (filter.after) where.add('(created_at, id) < ($?::timestamptz, $?::uuid)', filter.after.createdAt, filter.after.id);
    const limit = where.bind(filter.limit + 1);
    return manager.query(`SELECT ${COLUMNS} FROM accounts WHERE ${where.sql()} ORDER BY created_at DESC, id DESC LIMIT ${limit}`, where.params);
  }

  async findById(manager: EntityManager, tenantId: string, id: string): Promise<AccountRow | undefined> {
    const rows: AccountRow[] = await manager.query(`SELECT ${COLUMNS} FROM accounts WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
    return rows[0];
  }

  async exists(manager: EntityManager, tenantId: string, id: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(`SELECT 1 FROM accounts WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
    return rows.length > 0;
  }

  async insert(manager: EntityManager, tenantId: string, values: AccountValues): Promise<AccountRow> {
    const rows: AccountRow[] = await manager.query(
      `INSERT INTO accounts (tenant_id, external_id, name, domain, industry, segment, region, owner)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
      [tenantId, values.externalId ?? null, values.name, values.domain ?? null, values.industry ?? null, values.segment ?? null, values.region ?? null, values.owner ?? null],
    );
    return rows[0]!;
  }

  /**
   * Compare-and-set update: applies only when the row still has `expectedVersion` (TypeORM's
   * save() would not check it). Returns undefined when no row matched (missing or stale).
   */
  async update(manager: EntityManager, tenantId: string, id: string, values: AccountValues, expectedVersion: number): Promise<AccountRow | undefined> {
    const params: unknown[] = [tenantId, id, expectedVersion];
    const sets = setClause(values as Record<string, unknown>, WRITABLE, params);
    const { rows } = await execute<AccountRow>(
      manager,
      `UPDATE accounts SET ${[...sets, 'version = version + 1', 'updated_at = now()'].join(', ')}
        WHERE tenant_id = $1 AND id = $2 AND version = $3 RETURNING ${COLUMNS}`,
      params,
    );
    return rows[0];
  }

  /** The current version; `lock` holds the row until the transaction ends (an update without a version). */
  async currentVersion(manager: EntityManager, tenantId: string, id: string, lock = false): Promise<number | undefined> {
    const rows: { version: number }[] = await manager.query(
      `SELECT version FROM accounts WHERE tenant_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`,
      [tenantId, id],
    );
    return rows[0]?.version;
  }
}
