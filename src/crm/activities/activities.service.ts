import { Injectable } from '@nestjs/common';
import type { Principal } from '../../auth/principal.js';
import { IdempotencyService } from '../../common/idempotency/idempotency.service.js';
import { decodeCursor, DEFAULT_PAGE_SIZE, type Page, toPage } from '../../common/pagination/pagination.js';
import { TenantDb } from '../../database/tenant-db.js';
import { CrmError } from '../crm.errors.js';
import { OpportunitiesRepository } from '../opportunities/opportunities.repository.js';
import { isUniqueViolation, iso } from '../shared/sql.js';
import type { WriteOptions } from '../shared/write-options.js';
import { ActivitiesRepository, type ActivityRow } from './activities.repository.js';
import type { Activity, ActivityListQuery, LogActivityInput } from './activities.schemas.js';

export function toActivity(row: ActivityRow): Activity {
  return {
    id: row.id,
    externalId: row.external_id,
    accountId: row.account_id,
    opportunityId: row.opportunity_id,
    type: row.type,
    subject: row.subject,
    body: row.body,
    occurredAt: iso(row.occurred_at)!,
    createdBy: row.created_by,
    createdAt: iso(row.created_at)!,
  };
}

/** Activities use cases, shared by REST and MCP (`crm_log_activity`). */
@Injectable()
export class ActivitiesService {
  constructor(
    private readonly activities: ActivitiesRepository,
    private readonly opportunities: OpportunitiesRepository,
    private readonly idempotency: IdempotencyService,
    private readonly tenantDb: TenantDb,
  ) {}

  /** An opportunity's activities, newest first; 404 for an opportunity outside the caller's tenant. */
  listForOpportunity(principal: Principal, opportunityId: string, query: ActivityListQuery): Promise<Page<Activity>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor);
    return this.tenantDb.run(principal.tenantId, async (manager) => {
      if (!(await this.opportunities.findById(manager, principal.tenantId, opportunityId))) throw CrmError.notFound('Opportunity');
      const rows = await this.activities.listForOpportunity(manager, principal.tenantId, opportunityId, after, limit + 1);
      return toPage(rows, limit, toActivity);
    });
  }

  /** Logs a call/e-mail/meeting/note on an opportunity of the caller's tenant (404 otherwise). */
  logForOpportunity(principal: Principal, opportunityId: string, input: LogActivityInput, options: WriteOptions = {}): Promise<Activity> {
    const request = { key: options.idempotencyKey, operation: 'crm.activities.log', request: { opportunityId, ...input } };
    return this.idempotency.run(principal, request, async (manager) => {
      const opportunity = await this.opportunities.findById(manager, principal.tenantId, opportunityId);
      if (!opportunity) throw CrmError.notFound('Opportunity');
      try {
        const row = await this.activities.insert(manager, principal.tenantId, {
          externalId: input.externalId ?? null,
          accountId: opportunity.account_id,
          opportunityId,
          type: input.type,
          subject: input.subject,
          body: input.body ?? null,
          occurredAt: input.occurredAt ?? null,
          createdBy: principal.subject,
        });
        return toActivity(row);
      } catch (error) {
        if (isUniqueViolation(error)) throw CrmError.duplicate('externalId');
        throw error;
      }
    });
  }
}
