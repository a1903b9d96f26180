import { EventEmitter2 } from '@nestjs/event-emitter';
import { IdempotencyRepository } from '../../common/idempotency/idempotency.repository.js';
import { IdempotencyService } from '../../common/idempotency/idempotency.service.js';
import type { TenantDb } from '../../database/tenant-db.js';
import { CrmEventPublisher } from '../opportunities/opportunity-changes.js';
import { StageHistoryRepository } from '../opportunities/stage-history.repository.js';
import { ImportRepository } from './import.repository.js';
import { ImportService } from './import.service.js';

/**
 * The same ImportService as POST /api/v1/crm/import, wired by hand for the CLI and the bench
 * (no HTTP server; events go to a local emitter nobody listens to).
 */
export function buildImportService(tenantDb: TenantDb): ImportService {
  const idempotency = new IdempotencyService(tenantDb, new IdempotencyRepository());
  return new ImportService(tenantDb, new ImportRepository(), new StageHistoryRepository(), idempotency, new CrmEventPublisher(new EventEmitter2()));
}
