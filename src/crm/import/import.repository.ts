import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ForecastCategory, Segment, Stage } from '../shared/crm.schemas.js';

/** An opportunity ready to upsert (defaults and references resolved). */
export interface OpportunityUpsert {
  externalId: string | null;
  accountId: string | null;
  name: string;
  amount: number | null;
  currency: string;
  stage: Stage;
  probability: number;
  forecastCategory: ForecastCategory;
  closeDate: string | null;
  owner: string | null;
  product: string | null;
  /** Used on insert only (the source's creation time); null → now. */
  createdAt: string | null;
  /** For closed stages; null on a closed stage → now. */
  closedAt: string | null;
}

export interface PreviousOpportunity {
  id: string;
  external_id: string;
  stage: Stage;
  amount: string | null;
  close_date: string | null;
  probability: number;
  forecast_category: ForecastCategory;
  closed_at: Date | null;
}

export interface UpsertedOpportunity {
  id: string;
  external_id: string | null;
  inserted: boolean;
  stage: Stage;
  amount: string | null;
  currency: string;
  close_date: string | null;
  probability: number;
  forecast_category: ForecastCategory;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
}

export interface AccountUpsert {
  externalId: string | null;
  name: string;
  domain: string | null;
  industry: string | null;
  segment: Segment | null;
  region: string | null;
  owner: string | null;
  createdAt: string | null;
}

const CLOSED = `('closed_won','closed_lost')`;

/**
 * Bulk SQL for imports: one statement per batch (arrays unnested server-side), never a row at a
 * time. Every statement filters by tenant_id and runs inside the import's one TenantDb transaction.
 */
@Injectable()
export class ImportRepository {
  /** Existing opportunities with these external ids, locked until the import commits. */
  async lockExisting(manager: EntityManager, tenantId: string, externalIds: string[]): Promise<PreviousOpportunity[]> {
    if (externalIds.length === 0) return [];
    return manager.query(
      `SELECT id, external_id, stage, amount, close_date::text AS close_date, probability, forecast_category, closed_at
         FROM opportunities WHERE tenant_id = $1 AND external_id = ANY($2::text[]) FOR UPDATE`,
      [tenantId, externalIds],
    );
  }

  /**
   * Inserts new rows and updates those whose external id exists. Rows whose values are all equal
   * are left alone (no version bump) and are not returned.
   */
  async upsertOpportunities(manager: EntityManager, tenantId: string, rows: OpportunityUpsert[]): Promise<UpsertedOpportunity[]> {
    const col = <K extends keyof OpportunityUpsert>(key: K) => rows.map((row) => row[key]);
    return manager.query(
      `INSERT INTO opportunities AS o (tenant_id, external_id, account_id, name, amount, currency, stage, probability, forecast_category,
                                       close_date, owner, product, created_at, updated_at, closed_at)
       SELECT $1, i.external_id, i.account_id, i.name, i.amount, i.currency, i.stage, i.probability, i.forecast_category, i.close_date,
              i.owner, i.product, COALESCE(i.created_at, now()), now(),
              CASE WHEN i.stage IN ${CLOSED} THEN COALESCE(i.closed_at, now()) END
         FROM unnest($2::text[], $3::uuid[], $4::text[], $5::numeric[], $6::text[], $7::text[], $8::smallint[], $9::text[], $10::date[],
                     $11::text[], $12::text[], $13::timestamptz[], $14::timestamptz[])
           AS i(external_id, account_id, name, amount, currency, stage, probability, forecast_category, close_date, owner, product, created_at, closed_at)
       ON CONFLICT (tenant_id, external_id) DO UPDATE SET
         account_id = EXCLUDED.account_id, name = EXCLUDED.name, amount = EXCLUDED.amount, currency = EXCLUDED.currency,
         stage = EXCLUDED.stage, probability = EXCLUDED.probability, forecast_category = EXCLUDED.forecast_category,
         close_date = EXCLUDED.close_date, owner = EXCLUDED.owner, product = EXCLUDED.product, closed_at = EXCLUDED.closed_at,
         version = o.version + 1, updated_at = now()
       WHERE (o.account_id, o.name, o.amount, o.currency, o.stage, o.probability, o.forecast_category, o.close_date, o.owner, o.product, o.closed_at)
             IS DISTINCT FROM
             (EXCLUDED.account_id, EXCLUDED.name, EXCLUDED.amount, EXCLUDED.currency, EXCLUDED.stage, EXCLUDED.probability,
              EXCLUDED.forecast_category, EXCLUDED.close_date, EXCLUDED.owner, EXCLUDED.product, EXCLUDED.closed_at)
       RETURNING id, external_id, (xmax = 0) AS inserted, stage, amount, currency, close_date::text AS close_date, probability,
                 forecast_category, created_at, updated_at, closed_at`,
      [
        tenantId, col('externalId'), col('accountId'), col('name'), col('amount'), col('currency'), col('stage'), col('probability'),
        col('forecastCategory'), col('closeDate'), col('owner'), col('product'), col('createdAt'), col('closedAt'),
      ],
    );
  }

  async accountsByExternalId(manager: EntityManager, tenantId: string, externalIds: string[]): Promise<{ id: string; key: string }[]> {
    if (externalIds.length === 0) return [];
    return manager.query(`SELECT id, external_id AS key FROM accounts WHERE tenant_id = $1 AND external_id = ANY($2::text[])`, [tenantId, externalIds]);
  }

  /** The oldest account per lower-cased name (names are not unique; the first one wins, stably). */
  async accountsByName(manager: EntityManager, tenantId: string, lowerNames: string[]): Promise<{ id: string; key: string }[]> {
    if (lowerNames.length === 0) return [];
    return manager.query(
      `SELECT DISTINCT ON (lower(name)) id, lower(name) AS key FROM accounts
        WHERE tenant_id = $1 AND lower(name) = ANY($2::text[]) ORDER BY lower(name), created_at, id`,
      [tenantId, lowerNames],
    );
  }

  /** Upserts accounts by external id (same rules as opportunities); returns changed rows only. */
  async upsertAccounts(manager: EntityManager, tenantId: string, rows: AccountUpsert[]): Promise<{ id: string; external_id: string | null; name: string; inserted: boolean }[]> {
    const col = <K extends keyof AccountUpsert>(key: K) => rows.map((row) => row[key]);
    return manager.query(
      `INSERT INTO accounts AS a (tenant_id, external_id, name, domain, industry, segment, region, owner, created_at, updated_at)
       SELECT $1, i.external_id, i.name, i.domain, i.industry, i.segment, i.region, i.owner, COALESCE(i.created_at, now()), now()
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
           AS i(external_id, name, domain, industry, segment, region, owner, created_at)
       ON CONFLICT (tenant_id, external_id) DO UPDATE SET
         name = EXCLUDED.name, domain = EXCLUDED.domain, industry = EXCLUDED.industry, segment = EXCLUDED.segment,
         region = EXCLUDED.region, owner = EXCLUDED.owner, version = a.version + 1, updated_at = now()
       WHERE (a.name, a.domain, a.industry, a.segment, a.region, a.owner)
             IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.domain, EXCLUDED.industry, EXCLUDED.segment, EXCLUDED.region, EXCLUDED.owner)
       RETURNING id, external_id, name, (xmax = 0) AS inserted`,
      [tenantId, col('externalId'), col('name'), col('domain'), col('industry'), col('segment'), col('region'), col('owner'), col('createdAt')],
    );
  }
}
