import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../../auth/principal.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { IdempotencyService } from '../../common/idempotency/idempotency.service.js';
import { canonicalJson } from '../../common/canonical-json.js';
import { TenantDb } from '../../database/tenant-db.js';
import { CrmEventPublisher, type CrmEvent } from '../opportunities/opportunity-changes.js';
import { StageHistoryRepository } from '../opportunities/stage-history.repository.js';
import { ImportInput, type ImportSource } from './import-source.js';
import { resolveMapping, RowMapper } from './import-mapping.js';
import { ImportWriter } from './import-writer.js';
import { ImportRepository } from './import.repository.js';
import {
  MAX_IMPORT_ROWS,
  MAX_REPORTED_REJECTIONS,
  type AccountImportRow,
  type ImportEntity,
  type ImportMapping,
  type ImportReport,
  type OpportunityImportRow,
} from './import.schemas.js';

export interface ImportRequest {
  source: ImportSource;
  entity?: ImportEntity;
  /** A preset name (hubspot, salesforce, pipedrive, maven) or a JSON mapping; absent → our field names. */
  mapping?: string;
}

export interface ImportOptions {
  idempotencyKey?: string;
  /** Called every thousand rows (the CLI's progress bar). */
  onProgress?: (progress: { rows: number; bytes: number }) => void;
}

// Rows per INSERT … ON CONFLICT statement: large enough to amortise round trips, small enough to stay well under parameter and memory limits.
const BATCH_SIZE = 2_000;

/** The import failed as a whole: nothing was written; the report says which rows and why. */
export class ImportRejectedError extends DomainError {
  constructor(report: ImportReport) {
    super('unprocessable', `Import rejected: ${report.rejectedCount} row(s) are invalid; nothing was written`, { report });
  }
}

/**
 * Bulk import: streamed rows → mapping → validation → batched upserts, all in one transaction, so
 * an import either lands entirely or not at all. Rows keep being validated after the first
 * rejection so the report lists every problem (up to MAX_REPORTED_REJECTIONS) in one pass.
 */
@Injectable()
export class ImportService {
  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repository: ImportRepository,
    private readonly history: StageHistoryRepository,
    private readonly idempotency: IdempotencyService,
    private readonly events: CrmEventPublisher,
  ) {}

  async import(principal: Principal, request: ImportRequest, options: ImportOptions = {}): Promise<ImportReport> {
    const entity = request.entity ?? 'opportunities';
    const mapping = resolveMapping(entity, request.mapping);
    const input = new ImportInput(request.source, canonicalJson({ entity, mapping: request.mapping ?? null }));
    let events: CrmEvent[] = [];
    const outcome = await this.idempotency.execute(
      principal,
      {
        key: options.idempotencyKey,
        operation: 'crm.import',
        streamed: { final: () => input.finalHash(), drain: () => input.drain() },
        status: 200,
      },
      async (manager) => {
        const result = await this.run(manager, principal, entity, mapping, input, options);
        await this.events.publishInTransaction(manager, result.events);
        events = result.events;
        return result.report;
      },
    );
    if (!outcome.replayed) this.events.publish(events);
    return outcome.value;
  }

  private async run(
    manager: EntityManager,
    principal: Principal,
    entity: ImportEntity,
    mapping: ImportMapping,
    input: ImportInput,
    options: ImportOptions,
  ): Promise<{ report: ImportReport; events: CrmEvent[] }> {
    const mapper = new RowMapper(entity, mapping);
    const writer = new ImportWriter(manager, principal, this.repository, this.history);
    const report: ImportReport = { entity, rows: 0, created: 0, updated: 0, unchanged: 0, accountsCreated: 0, rejectedCount: 0, rejected: [] };
    const seen = new Map<string, number>();
    let batch: (OpportunityImportRow | AccountImportRow)[] = [];
    const flush = async () => {
      if (batch.length && report.rejectedCount === 0) {
        if (entity === 'accounts') await writer.writeAccounts(batch as AccountImportRow[]);
        else await writer.writeOpportunities(batch as OpportunityImportRow[]);
      }
      batch = [];
    };
    for await (const { row, record, unreadable } of input.records()) {
      if (row > MAX_IMPORT_ROWS) throw new DomainError('payload_too_large', `An import may hold at most ${MAX_IMPORT_ROWS} rows`);
      report.rows = row;
      const mapped = unreadable ? { ok: false as const, reasons: [unreadable] } : mapper.map(record);
      const reasons = mapped.ok ? duplicateReasons(seen, mapped.row.externalId, row) : mapped.reasons;
      if (reasons.length) {
        reject(report, row, reasons);
        continue;
      }
      if (mapped.ok) batch.push(mapped.row);
      if (batch.length >= BATCH_SIZE) await flush();
      if (row % 1_000 === 0) options.onProgress?.({ rows: row, bytes: input.bytesRead });
    }
    await flush();
    options.onProgress?.({ rows: report.rows, bytes: input.bytesRead });
    if (report.rejectedCount > 0) throw new ImportRejectedError({ ...report, created: 0, updated: 0, unchanged: 0, accountsCreated: 0 });
    return { report: { ...report, ...writer.counts }, events: writer.events };
  }
}

/** An external id may appear once per import (an upsert cannot apply two rows to one record). */
function duplicateReasons(seen: Map<string, number>, externalId: string | undefined, row: number): string[] {
  if (externalId === undefined) return [];
  const first = seen.get(externalId);
  if (first !== undefined) return [`externalId: duplicates row ${first}`];
  seen.set(externalId, row);
  return [];
}

function reject(report: ImportReport, row: number, reasons: string[]): void {
  report.rejectedCount++;
  if (report.rejected.length < MAX_REPORTED_REJECTIONS) report.rejected.push({ row, reasons });
}
