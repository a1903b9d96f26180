import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CURSOR_CREATED_AT_SQL, type KeysetPosition } from '../../common/pagination/pagination.js';
import type { ForecastCategory, Segment, Stage } from '../shared/crm.schemas.js';
import { Conditions, containsPattern, execute, setClause } from '../shared/sql.js';

export interface OpportunityRow {
  id: string;
  external_id: string | null;
  account_id: string | null;
  name: string;
  amount: string | null;
  currency: string;
  stage: Stage;
  probability: number;
  forecast_category: ForecastCategory;
  close_date: string | null;
  owner: string | null;
  product: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
  cursor_created_at: string;
}

export interface OpportunityFilter {
  q?: string;
  stage?: Stage[];
  accountId?: string;
  owner?: string;
  product?: string;
  region?: string;
  segment?: Segment;
  closeFrom?: string;
  closeTo?: string;
  after?: KeysetPosition;
  limit: number;
}

/** Column values of a write; `closedAt: 'now'` stamps the transaction's time. */
export interface OpportunityValues {
  externalId?: string | null;
  accountId?: string | null;
  name?: string;
  amount?: number | null;
  currency?: string;
  stage?: Stage;
  probability?: number;
  forecastCategory?: ForecastCategory;
  closeDate?: string | null;
  owner?: string | null;
  product?: string | null;
  closedAt?: 'now' | null;
}

export const OPPORTUNITY_COLUMNS = `id, external_id, account_id, name, amount, currency, stage, probability, forecast_category,
  close_date::text AS close_date, owner, product, version, created_at, updated_at, closed_at, ${CURSOR_CREATED_AT_SQL} AS cursor_created_at`;

const WRITABLE: Record<Exclude<keyof OpportunityValues, 'closedAt'>, string> = {
  externalId: 'external_id',
  accountId: 'account_id',
  name: 'name',
  amount: 'amount',
  currency: 'currency',
  stage: 'stage',
  probability: 'probability',
  forecastCategory: 'forecast_category',
  closeDate: 'close_date',
  owner: 'owner',
  product: 'product',
};

/** Opportunities SQL. Every statement filters by tenant_id and runs inside TenantDb.run (RLS underneath). */
@Injectable()
export class OpportunitiesRepository {
  async list(manager: EntityManager, tenantId: string, filter: OpportunityFilter): Promise<OpportunityRow[]> {
    const where = new Conditions(tenantId).add('tenant_id = $1');
    if (filter.q) where.add('name ILIKE $?', containsPattern(filter.q));
    if (filter.stage) where.add('stage = ANY($?::text[])', filter.stage);
    if (filter.accountId) where.add('account_id = $?', filter.accountId);
    if (filter.owner) where.add('owner = $?', filter.owner);
    if (filter.product) where.add('product = $?', filter.product);
    if (filter.closeFrom) where.add('close_date >= $?::date', filter.closeFrom);
    if (filter.closeTo) where.add('close_date <= $?::date', filter.closeTo);
    if (filter.region || filter.segment) {
      const region = filter.region ? where.bind(filter.region) : undefined;
      const segment = filter.segment ? where.bind(filter.segment) : undefined;
      where.add(
        `account_id IN (SELECT a.id FROM accounts a WHERE a.tenant_id = $1${region ? ` AND a.region = ${region}` : ''}${segment ? ` AND a.segment = ${segment}` : ''})`,
      );
    }
    if (filter.after) where.add('(created_at, id) < ($?::timestamptz, $?::uuid)', filter.after.createdAt, filter.after.id);
    const limit = where.bind(filter.limit + 1);
    return manager.query(
      `SELECT ${OPPORTUNITY_COLUMNS} FROM opportunities WHERE ${where.sql()} ORDER BY created_at DESC, id DESC LIMIT ${limit}`,
      where.params,
    );
  }

  /** One opportunity; `lock` holds it (FOR UPDATE) for a read-modify-write. */
  async findById(manager: EntityManager, tenantId: string, id: string, lock = false): Promise<OpportunityRow | undefined> {
    const rows: OpportunityRow[] = await manager.query(
      `SELECT ${OPPORTUNITY_COLUMNS} FROM opportunities WHERE tenant_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`,
      [tenantId, id],
    );
    return rows[0];
  }

  async insert(manager: EntityManager, tenantId: string, values: Required<Omit<OpportunityValues, 'closedAt'>> & Pick<OpportunityValues, 'closedAt'>): Promise<OpportunityRow> {
    const rows: OpportunityRow[] = await manager.query(
      `INSERT INTO opportunities (tenant_id, external_id, account_id, name, amount, currency, stage, probability,
                                  forecast_category, close_date, owner, product, closed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, CASE WHEN $13 THEN now() END)
       RETURNING ${OPPORTUNITY_COLUMNS}`,
      [
        tenantId, values.externalId, values.accountId, values.name, values.amount, values.currency, values.stage,
        values.probability, values.forecastCategory, values.closeDate, values.owner, values.product, values.closedAt === 'now',
      ],
    );
    return rows[0]!;
  }

  /** Compare-and-set: applies only while the row still has `expectedVersion`; undefined otherwise. */
  async update(manager: EntityManager, tenantId: string, id: string, values: OpportunityValues, expectedVersion: number): Promise<OpportunityRow | undefined> {
    const params: unknown[] = [tenantId, id, expectedVersion];
    const sets = setClause(values as Record<string, unknown>, WRITABLE, params);
    if (values.closedAt !== undefined) sets.push(`closed_at = ${values.closedAt === 'now' ? 'now()' : 'NULL'}`);
    const { rows } = await execute<OpportunityRow>(
      manager,
      `UPDATE opportunities SET ${[...sets, 'version = version + 1', 'updated_at = now()'].join(', ')}
        WHERE tenant_id = $1 AND id = $2 AND version = $3 RETURNING ${OPPORTUNITY_COLUMNS}`,
      params,
    );
    return rows[0];
  }
}
