import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../../auth/principal.js';
import { IdempotencyService } from '../../common/idempotency/idempotency.service.js';
import { decodeCursor, DEFAULT_PAGE_SIZE, type Page, toPage } from '../../common/pagination/pagination.js';
import { TenantDb } from '../../database/tenant-db.js';
import { AccountsRepository } from '../accounts/accounts.repository.js';
import { CrmError } from '../crm.errors.js';
import { isUniqueViolation, iso, money } from '../shared/sql.js';
import { expectedVersion } from '../shared/versioning.js';
import type { UpdateOptions, WriteOptions } from '../shared/write-options.js';
import { changeEvents, CrmEventPublisher, historyEntry, type CrmEvent } from './opportunity-changes.js';
import { OpportunitiesRepository, type OpportunityRow, type OpportunityValues } from './opportunities.repository.js';
import type { CreateOpportunityInput, Opportunity, OpportunityListQuery, UpdateOpportunityInput } from './opportunities.schemas.js';
import { StageHistoryRepository } from './stage-history.repository.js';
import { isClosed, resolveStage } from './stage-rules.js';

export function toOpportunity(row: OpportunityRow): Opportunity {
  return {
    id: row.id,
    externalId: row.external_id,
    accountId: row.account_id,
    name: row.name,
    amount: money(row.amount),
    currency: row.currency.trim(),
    stage: row.stage,
    probability: row.probability,
    forecastCategory: row.forecast_category,
    closeDate: row.close_date,
    owner: row.owner,
    product: row.product,
    version: row.version,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    closedAt: iso(row.closed_at),
  };
}

/**
 * Opportunity use cases, shared by REST, MCP (`crm_search_opportunities`, `crm_update_opportunity`)
 * and the RPC route. Every write appends to the stage history in the same transaction; domain
 * events go out only after it committed.
 */
@Injectable()
export class OpportunitiesService {
  constructor(
    private readonly tenantDb: TenantDb,
    private readonly opportunities: OpportunitiesRepository,
    private readonly accounts: AccountsRepository,
    private readonly history: StageHistoryRepository,
    private readonly idempotency: IdempotencyService,
    private readonly events: CrmEventPublisher,
  ) {}

  search(principal: Principal, query: OpportunityListQuery): Promise<Page<Opportunity>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor);
    return this.tenantDb.run(principal.tenantId, async (manager) => {
      const rows = await this.opportunities.list(manager, principal.tenantId, { ...query, after, limit });
      return toPage(rows, limit, toOpportunity);
    });
  }

  get(principal: Principal, id: string): Promise<Opportunity> {
    return this.tenantDb.run(principal.tenantId, async (manager) => {
      const row = await this.opportunities.findById(manager, principal.tenantId, id);
      if (!row) throw CrmError.notFound('Opportunity');
      return toOpportunity(row);
    });
  }

  create(principal: Principal, input: CreateOpportunityInput, options: WriteOptions = {}): Promise<Opportunity> {
    const request = { key: options.idempotencyKey, operation: 'crm.opportunities.create', request: input };
    return this.idempotency.run(principal, request, async (manager) => {
      await this.assertAccount(manager, principal.tenantId, input.accountId);
      const stage = resolveStage(undefined, input);
      const values = {
        externalId: input.externalId ?? null,
        accountId: input.accountId ?? null,
        name: input.name,
        amount: input.amount ?? null,
        currency: input.currency ?? 'USD',
        stage: stage.stage,
        probability: stage.probability,
        forecastCategory: stage.forecastCategory,
        closeDate: input.closeDate ?? null,
        owner: input.owner ?? null,
        product: input.product ?? null,
        closedAt: isClosed(stage.stage) ? ('now' as const) : null,
      };
      const row = await this.guardUnique(() => this.opportunities.insert(manager, principal.tenantId, values));
      await this.history.append(manager, principal.tenantId, [historyEntry(undefined, row, principal.subject, 'api')!]);
      return toOpportunity(row);
    });
  }

  async update(principal: Principal, id: string, input: UpdateOpportunityInput, options: UpdateOptions = {}): Promise<Opportunity> {
    const { version, ...change } = input;
    const expected = expectedVersion(version, options.ifMatch);
    const { opportunity, events } = await this.tenantDb.write(principal.tenantId, async (manager) => {
      const applied = await this.applyUpdate(manager, principal, id, change, expected);
      await this.events.publishInTransaction(manager, applied.events);
      return applied;
    });
    this.events.publish(events);
    return opportunity;
  }

  private async applyUpdate(
    manager: EntityManager,
    principal: Principal,
    id: string,
    change: Omit<UpdateOpportunityInput, 'version'>,
    expected: number | undefined,
  ): Promise<{ opportunity: Opportunity; events: CrmEvent[] }> {
    const tenantId = principal.tenantId;
    // Locked read: the history's "before" values and the derived fields are those of the version we replace.
    const current = await this.opportunities.findById(manager, tenantId, id, true);
    if (!current) throw CrmError.notFound('Opportunity');
    if (expected !== undefined && current.version !== expected) throw CrmError.staleVersion(current.version);
    if (change.accountId) await this.assertAccount(manager, tenantId, change.accountId);
    const stage = resolveStage({ stage: current.stage, probability: current.probability, forecastCategory: current.forecast_category }, change);
    const values: OpportunityValues = { ...change, probability: stage.probability, forecastCategory: stage.forecastCategory };
    if (stage.stageChanged) values.closedAt = isClosed(stage.stage) ? 'now' : null;
    const row = await this.guardUnique(() => this.opportunities.update(manager, tenantId, id, values, current.version));
    if (!row) throw CrmError.staleVersion(current.version + 1);
    const entry = historyEntry(current, row, principal.subject, 'api');
    if (entry) await this.history.append(manager, tenantId, [entry]);
    return { opportunity: toOpportunity(row), events: changeEvents(tenantId, current, row, principal.subject) };
  }

  /** A referenced account must exist in the caller's tenant (catalog T40); the composite FK backs this up. */
  private async assertAccount(manager: EntityManager, tenantId: string, accountId: string | null | undefined): Promise<void> {
    if (accountId && !(await this.accounts.exists(manager, tenantId, accountId))) {
      throw CrmError.unknownReference('accountId', 'an account');
    }
  }

  private async guardUnique<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error)) throw CrmError.duplicate('externalId');
      throw error;
    }
  }
}
