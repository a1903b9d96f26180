import type { DataSource, EntityManager } from 'typeorm';
import { generateDemoData, type DemoData } from './demo-generator.js';
import { DEMO_TENANTS, type DemoTenantSpec } from './demo-tenants.js';

export interface SeedOptions {
  /** The day the data runs up to (default: now). Same day + same spec → the same rows. */
  today?: Date;
  tenants?: readonly DemoTenantSpec[];
}

export interface SeedResult {
  seeded: string[];
  skipped: string[];
  rows: number;
  ms: number;
}

// Any constant; instances starting together seed one after another, the later ones then skip.
const SEED_LOCK_KEY = 727_002;
const CHUNK = 5_000;

/**
 * Seeds the demo tenants (acme "Acme Corp", globex "Globex Inc") with three years of CRM data,
 * once: a tenant that already has opportunities is skipped, so calling this on every start is
 * safe. Each tenant is one transaction (all or nothing) under its own tenant setting, so it
 * works through the app role and row-level security like any other write. Bulk inserts
 * (arrays unnested server-side), a few statements per table.
 */
export async function seedDemoData(dataSource: DataSource, options: SeedOptions = {}): Promise<SeedResult> {
  const started = Date.now();
  const today = options.today ?? new Date();
  const result: SeedResult = { seeded: [], skipped: [], rows: 0, ms: 0 };
  // Tenants are independent: seeded side by side on two connections (the pool has more).
  const outcomes = await Promise.all((options.tenants ?? DEMO_TENANTS).map((spec) => seedTenant(dataSource, spec, today)));
  for (const { id, rows } of outcomes) {
    if (rows > 0) result.seeded.push(id);
    else result.skipped.push(id);
    result.rows += rows;
  }
  result.ms = Date.now() - started;
  return result;
}

async function seedTenant(dataSource: DataSource, spec: DemoTenantSpec, today: Date): Promise<{ id: string; rows: number }> {
  const rows = await dataSource.transaction(async (manager) => {
    // One seeder per tenant at a time (several instances may start together); the later one then skips.
    await manager.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SEED_LOCK_KEY, spec.id]);
    await manager.query(`INSERT INTO tenants (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, [spec.id, spec.name]);
    await manager.query(`SELECT set_config('app.tenant_id', $1, true)`, [spec.id]);
    const existing: unknown[] = await manager.query('SELECT 1 FROM opportunities WHERE tenant_id = $1 LIMIT 1', [spec.id]);
    if (existing.length) return 0;
    return insertDemoData(manager, spec.id, generateDemoData(spec, today));
  });
  return { id: spec.id, rows };
}

async function insertDemoData(manager: EntityManager, tenantId: string, data: DemoData): Promise<number> {
  await bulkInsert(manager, tenantId, 'accounts',
    ['id:uuid', 'external_id:text', 'name:text', 'domain:text', 'industry:text', 'segment:text', 'region:text', 'owner:text', 'created_at:timestamptz', 'updated_at:timestamptz'],
    data.accounts.map((a) => [a.id, a.externalId, a.name, a.domain, a.industry, a.segment, a.region, a.owner, a.createdAt, a.createdAt]));
  await bulkInsert(manager, tenantId, 'contacts',
    ['id:uuid', 'account_id:uuid', 'name:text', 'email:text', 'title:text', 'created_at:timestamptz', 'updated_at:timestamptz'],
    data.contacts.map((c) => [c.id, c.accountId, c.name, c.email, c.title, c.createdAt, c.createdAt]));
  await bulkInsert(manager, tenantId, 'opportunities',
    ['id:uuid', 'external_id:text', 'account_id:uuid', 'name:text', 'amount:numeric', 'currency:text', 'stage:text', 'probability:smallint',
      'forecast_category:text', 'close_date:date', 'owner:text', 'product:text', 'version:int', 'created_at:timestamptz', 'updated_at:timestamptz', 'closed_at:timestamptz'],
    data.opportunities.map((o) => [o.id, o.externalId, o.accountId, o.name, o.amount, o.currency, o.stage, o.probability, o.forecastCategory,
      o.closeDate, o.owner, o.product, o.version, o.createdAt, o.updatedAt, o.closedAt]));
  await bulkInsert(manager, tenantId, 'opportunity_stage_history',
    ['opportunity_id:uuid', 'changed_at:timestamptz', 'changed_by:text', 'source:text', 'from_stage:text', 'to_stage:text', 'from_amount:numeric',
      'amount:numeric', 'from_close_date:date', 'close_date:date', 'probability:smallint', 'forecast_category:text'],
    data.history.map((h) => [h.opportunityId, h.changedAt, h.changedBy, 'seed', h.fromStage, h.toStage, h.fromAmount, h.amount, h.fromCloseDate,
      h.closeDate, h.probability, h.forecastCategory]));
  await bulkInsert(manager, tenantId, 'activities',
    ['id:uuid', 'account_id:uuid', 'opportunity_id:uuid', 'type:text', 'subject:text', 'occurred_at:timestamptz', 'created_by:text', 'created_at:timestamptz'],
    data.activities.map((a) => [a.id, a.accountId, a.opportunityId, a.type, a.subject, a.occurredAt, a.createdBy, a.occurredAt]));
  return data.accounts.length + data.contacts.length + data.opportunities.length + data.history.length + data.activities.length;
}

/** INSERT … SELECT FROM unnest(arrays): one statement per CHUNK rows, one array parameter per column. */
async function bulkInsert(manager: EntityManager, tenantId: string, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  const names = columns.map((column) => column.split(':')[0]!);
  const types = columns.map((column) => column.split(':')[1]!);
  for (let offset = 0; offset < rows.length; offset += CHUNK) {
    const chunk = rows.slice(offset, offset + CHUNK);
    const arrays = types.map((_, index) => chunk.map((row) => row[index] ?? null));
    const unnest = types.map((type, index) => `$${index + 2}::${type}[]`).join(', ');
    await manager.query(`INSERT INTO ${table} (tenant_id, ${names.join(', ')}) SELECT $1, * FROM unnest(${unnest})`, [tenantId, ...arrays]);
  }
}
