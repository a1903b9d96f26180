import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { isDatabaseUnavailable } from '../common/errors/database-errors.js';
import { AuditRepository } from './audit.repository.js';
import type { AuditEvent } from './audit.types.js';

// Rows wait at most this long, or until a batch is full, before one INSERT per tenant writes them.
const FLUSH_INTERVAL_MS = 100;
const BATCH_SIZE = 500;
// While the database is away rows are kept (and retried) up to this many; beyond, the oldest go, loudly.
const MAX_BUFFERED = 20_000;
const RETRY_DELAY_MS = 2_000;

/**
 * Records audit events off the hot path: `record()` only appends to a buffer; a timer flushes it
 * in batches, one multi-row INSERT per tenant (each inside that tenant's RLS context). A request
 * never waits for its audit row. Rows still buffered are written before the application stops.
 */
@Injectable()
export class AuditTrail implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private buffer: AuditEvent[] = [];
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private dropped = 0;

  constructor(private readonly repository: AuditRepository) {}

  record(event: AuditEvent): void {
    this.buffer.push(event);
    if (this.buffer.length > MAX_BUFFERED) {
      this.buffer.shift();
      if (this.dropped++ % 1000 === 0) this.logger.error({ dropped: this.dropped }, 'audit buffer full: oldest rows dropped');
    }
    if (this.buffer.length >= BATCH_SIZE) void this.flush();
    else this.schedule();
  }

  /** Writes everything buffered so far (tests and shutdown call it; the timer does otherwise). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.write(batch).finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private schedule(delayMs = FLUSH_INTERVAL_MS): void {
    if (this.timer) return;
    this.timer = setTimeout(() => void this.flush(), delayMs);
    this.timer.unref();
  }

  private async write(batch: AuditEvent[]): Promise<void> {
    const byTenant = new Map<string, AuditEvent[]>();
    for (const event of batch) {
      const events = byTenant.get(event.tenantId);
      if (events) events.push(event);
      else byTenant.set(event.tenantId, [event]);
    }
    for (const [tenantId, events] of byTenant) {
      for (let start = 0; start < events.length; start += BATCH_SIZE) {
        const chunk = events.slice(start, start + BATCH_SIZE);
        try {
          await this.repository.insert(tenantId, chunk);
        } catch (error) {
          this.onWriteFailure(tenantId, chunk, error);
        }
      }
    }
  }

  private onWriteFailure(tenantId: string, events: AuditEvent[], error: unknown): void {
    if (isDatabaseUnavailable(error)) {
      // Kept for the next flush; the buffer bound decides how long an outage can be bridged.
      this.buffer.unshift(...events);
      this.logger.warn({ tenantId, rows: events.length }, 'audit write deferred: database unavailable');
      this.schedule(RETRY_DELAY_MS);
      return;
    }
    // Not transient (e.g. the tenant was deleted meanwhile): retrying cannot help.
    this.logger.error({ tenantId, rows: events.length, err: error }, 'audit rows could not be written');
  }
}
