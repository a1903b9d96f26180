import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CURSOR_CREATED_AT_SQL, type KeysetPosition } from '../../common/pagination/pagination.js';
import { Conditions, containsPattern, execute, setClause } from '../shared/sql.js';

export interface ContactRow {
  id: string;
  external_id: string | null;
  account_id: string | null;
  name: string;
  email: string | null;
  title: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  cursor_created_at: string;
}

export interface ContactFilter {
  q?: string;
  accountId?: string;
  after?: KeysetPosition;
  limit: number;
}

export interface ContactValues {
  externalId?: string | null;
  accountId?: string | null;
  name?: string;
  email?: string | null;
  title?: string | null;
}

const COLUMNS = `id, external_id, account_id, name, email, title, version, created_at, updated_at, ${CURSOR_CREATED_AT_SQL} AS cursor_created_at`;
const WRITABLE: Record<keyof ContactValues, string> = {
  externalId: 'external_id',
  accountId: 'account_id',
  name: 'name',
  email: 'email',
  title: 'title',
};

/** Contacts SQL. Every statement filters by tenant_id and runs inside TenantDb.run (RLS underneath). */
@Injectable()
export class ContactsRepository {
  async list(manager: EntityManager, tenantId: string, filter: ContactFilter): Promise<ContactRow[]> {
    const where = new Conditions(tenantId).add('tenant_id = $1');
    if (filter.q) where.add('(name ILIKE $? OR email ILIKE $?)', containsPattern(filter.q), containsPattern(filter.q));
    if (filter.accountId) where.add('account_id = $?', filter.accountId);
    if (filter.after) where.add('(created_at, id) < ($?::timestamptz, $?::uuid)', filter.after.createdAt, filter.after.id);
    const limit = where.bind(filter.limit + 1);
    return manager.query(`SELECT ${COLUMNS} FROM contacts WHERE ${where.sql()} ORDER BY created_at DESC, id DESC LIMIT ${limit}`, where.params);
  }

  async findById(manager: EntityManager, tenantId: string, id: string): Promise<ContactRow | undefined> {
    const rows: ContactRow[] = await manager.query(`SELECT ${COLUMNS} FROM contacts WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
    return rows[0];
  }

  async insert(manager: EntityManager, tenantId: string, values: ContactValues): Promise<ContactRow> {
    const rows: ContactRow[] = await manager.query(
      `INSERT INTO contacts (tenant_id, external_id, account_id, name, email, title) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [tenantId, values.externalId ?? null, values.accountId ?? null, values.name, values.email ?? null, values.title ?? null],
    );
    return rows[0]!;
  }

  /** Compare-and-set: applies only while the row still has `expectedVersion`; undefined otherwise. */
  async update(manager: EntityManager, tenantId: string, id: string, values: ContactValues, expectedVersion: number): Promise<ContactRow | undefined> {
    const params: unknown[] = [tenantId, id, expectedVersion];
    const sets = setClause(values as Record<string, unknown>, WRITABLE, params);
    const { rows } = await execute<ContactRow>(
      manager,
      `UPDATE contacts SET ${[...sets, 'version = version + 1', 'updated_at = now()'].join(', ')}
        WHERE tenant_id = $1 AND id = $2 AND version = $3 RETURNING ${COLUMNS}`,
      params,
    );
    return rows[0];
  }

  async currentVersion(manager: EntityManager, tenantId: string, id: string, lock = false): Promise<number | undefined> {
    const rows: { version: number }[] = await manager.query(
      `SELECT version FROM contacts WHERE tenant_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`,
      [tenantId, id],
    );
    return rows[0]?.version;
  }
}
