import type { EntityManager } from 'typeorm';
import type { Principal } from '../../auth/principal.js';
import { changeEvents, historyEntry, type CrmEvent } from '../opportunities/opportunity-changes.js';
import type { OpportunityRow } from '../opportunities/opportunities.repository.js';
import { StageHistoryRepository, type StageHistoryEntry } from '../opportunities/stage-history.repository.js';
import { isClosed, resolveStage } from '../opportunities/stage-rules.js';
import { ImportRepository, type OpportunityUpsert, type PreviousOpportunity, type UpsertedOpportunity } from './import.repository.js';
import type { AccountImportRow, ImportReport, OpportunityImportRow } from './import.schemas.js';

type Counts = Pick<ImportReport, 'created' | 'updated' | 'unchanged' | 'accountsCreated'>;

/**
 * Writes validated import rows in batches inside the import's transaction: resolves (or creates)
 * referenced accounts, upserts, appends the stage history and collects the domain events to
 * publish after commit.
 */
export class ImportWriter {
  readonly counts: Counts = { created: 0, updated: 0, unchanged: 0, accountsCreated: 0 };
  readonly events: CrmEvent[] = [];
  private readonly accountIds = new Map<string, string>();

  constructor(
    private readonly manager: EntityManager,
    private readonly principal: Principal,
    private readonly repository: ImportRepository,
    private readonly history: StageHistoryRepository,
  ) {}

  async writeAccounts(rows: AccountImportRow[]): Promise<void> {
    const changed = await this.repository.upsertAccounts(
      this.manager,
      this.principal.tenantId,
      rows.map((row) => ({
        externalId: row.externalId ?? null, name: row.name, domain: row.domain ?? null, industry: row.industry ?? null,
        segment: row.segment ?? null, region: row.region ?? null, owner: row.owner ?? null, createdAt: row.createdAt ?? null,
      })),
    );
    this.count(rows.length, changed);
  }

  async writeOpportunities(rows: OpportunityImportRow[]): Promise<void> {
    const tenantId = this.principal.tenantId;
    await this.resolveAccounts(rows);
    const externalIds = rows.flatMap((row) => (row.externalId ? [row.externalId] : []));
    const previous = new Map((await this.repository.lockExisting(this.manager, tenantId, externalIds)).map((row) => [row.external_id, row]));
    const upserts = rows.map((row) => this.toUpsert(row, row.externalId ? previous.get(row.externalId) : undefined));
    const changed = await this.repository.upsertOpportunities(this.manager, tenantId, upserts);
    this.count(rows.length, changed);
    const entries: StageHistoryEntry[] = [];
    for (const row of changed) {
      const before = row.external_id ? previous.get(row.external_id) : undefined;
      if (row.inserted || !before) {
        entries.push(...creationHistory(row, this.changedBy));
        continue;
      }
      const after = row as unknown as OpportunityRow;
      const entry = historyEntry(before, after, this.changedBy, 'import');
      if (entry) entries.push(entry);
      this.events.push(...changeEvents(tenantId, before, after, this.changedBy));
    }
    await this.history.append(this.manager, tenantId, entries);
  }

  private get changedBy(): string {
    return this.principal.subject;
  }

  private count(rows: number, changed: { inserted: boolean }[]): void {
    const created = changed.filter((row) => row.inserted).length;
    this.counts.created += created;
    this.counts.updated += changed.length - created;
    this.counts.unchanged += rows - changed.length;
  }

  private toUpsert(row: OpportunityImportRow, before: PreviousOpportunity | undefined): OpportunityUpsert {
    const current = before && { stage: before.stage, probability: before.probability, forecastCategory: before.forecast_category };
    const stage = resolveStage(current, row);
    // A closed deal keeps its closing time across re-imports; else the source's, its close date, or now.
    const keptClosedAt = before && before.stage === stage.stage && before.closed_at ? before.closed_at.toISOString() : null;
    const closedAt = isClosed(stage.stage) ? (row.closedAt ?? keptClosedAt ?? (row.closeDate ? `${row.closeDate}T00:00:00Z` : null)) : null;
    return {
      externalId: row.externalId ?? null,
      accountId: this.accountIdFor(row),
      name: row.name!,
      amount: row.amount ?? null,
      currency: row.currency ?? 'USD',
      stage: stage.stage,
      probability: stage.probability,
      forecastCategory: stage.forecastCategory,
      closeDate: row.closeDate ?? null,
      owner: row.owner ?? null,
      product: row.product ?? null,
      createdAt: row.createdAt ?? null,
      closedAt,
    };
  }

  private accountIdFor(row: OpportunityImportRow): string | null {
    if (row.accountExternalId) return this.accountIds.get(`x:${row.accountExternalId}`) ?? null;
    if (row.accountName) return this.accountIds.get(`n:${row.accountName.toLowerCase()}`) ?? null;
    return null;
  }

  /** Finds referenced accounts by external id or name; creates the missing ones (counted in the report). */
  private async resolveAccounts(rows: OpportunityImportRow[]): Promise<void> {
    const tenantId = this.principal.tenantId;
    const byExternal = new Map<string, string>();
    const byName = new Map<string, string>();
    for (const row of rows) {
      if (row.accountExternalId && !this.accountIds.has(`x:${row.accountExternalId}`)) byExternal.set(row.accountExternalId, row.accountName ?? row.accountExternalId);
      else if (!row.accountExternalId && row.accountName && !this.accountIds.has(`n:${row.accountName.toLowerCase()}`)) byName.set(row.accountName.toLowerCase(), row.accountName);
    }
    for (const found of await this.repository.accountsByExternalId(this.manager, tenantId, [...byExternal.keys()])) {
      this.accountIds.set(`x:${found.key}`, found.id);
      byExternal.delete(found.key);
    }
    for (const found of await this.repository.accountsByName(this.manager, tenantId, [...byName.keys()])) {
      this.accountIds.set(`n:${found.key}`, found.id);
      byName.delete(found.key);
    }
    const missing = [
      ...[...byExternal].map(([externalId, name]) => ({ externalId, name })),
      ...[...byName.values()].map((name) => ({ externalId: null, name })),
    ];
    if (missing.length === 0) return;
    const created = await this.repository.upsertAccounts(
      this.manager,
      tenantId,
      missing.map((account) => ({ ...account, domain: null, industry: null, segment: null, region: null, owner: null, createdAt: null })),
    );
    this.counts.accountsCreated += created.length;
    for (const account of created) {
      this.accountIds.set(account.external_id ? `x:${account.external_id}` : `n:${account.name.toLowerCase()}`, account.id);
    }
  }
}

/**
 * History for a deal that arrives through an import: created at its creation time in the first
 * open stage we can vouch for, then (for a closed deal) the close at its closing time — so a
 * pipeline rebuilt "as of" a past date sees it open in between.
 */
function creationHistory(row: UpsertedOpportunity, changedBy: string): StageHistoryEntry[] {
  const base = { opportunityId: row.id, changedBy, source: 'import' as const, fromAmount: null, fromCloseDate: null };
  const state = { amount: row.amount, closeDate: row.close_date, probability: row.probability, forecastCategory: row.forecast_category };
  if (!isClosed(row.stage) || !row.closed_at || row.closed_at <= row.created_at) {
    return [{ ...base, ...state, changedAt: row.created_at, fromStage: null, toStage: row.stage }];
  }
  const open = resolveStage(undefined, { stage: 'prospecting' });
  return [
    { ...base, ...state, changedAt: row.created_at, fromStage: null, toStage: 'prospecting', probability: open.probability, forecastCategory: open.forecastCategory },
    { ...base, ...state, changedAt: row.closed_at, fromStage: 'prospecting', toStage: row.stage, fromAmount: row.amount, fromCloseDate: row.close_date },
  ];
}
