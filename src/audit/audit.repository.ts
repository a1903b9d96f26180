import { Injectable } from '@nestjs/common';
import { ValidationError } from '../common/errors/domain-error.js';
import { uuidV7 } from '../common/uuid-v7.js';
import { TenantDb } from '../database/tenant-db.js';
import type { AuditListQuery, AuditPage, AuditRecord } from './audit.schemas.js';
import type { AuditEvent } from './audit.types.js';

const COLUMNS = [
  'id', 'occurred_at', 'subject', 'client_id', 'token_id', 'channel', 'kind', 'name',
  'args_digest', 'outcome', 'error_code', 'http_status', 'latency_ms', 'request_id',
] as const;
const TYPES = ['uuid', 'timestamptz', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'smallint', 'float8', 'text'];
// The microsecond timestamp the cursor carries (a JS Date would lose precision and skip rows).
const OCCURRED_AT_TEXT = `to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const CURSOR_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface AuditRow {
  id: string;
  occurred_at_text: string;
  subject: string;
  client_id: string;
  token_id: string | null;
  channel: AuditRecord['channel'];
  kind: AuditRecord['kind'];
  name: string;
  args_digest: string | null;
  outcome: AuditRecord['outcome'];
  error_code: string | null;
  http_status: number | null;
  latency_ms: number;
  request_id: string | null;
}

/** The audit trail's SQL. Every statement runs inside `TenantDb.run`, so RLS scopes it to one tenant. */
@Injectable()
export class AuditRepository {
  constructor(private readonly db: TenantDb) {}

  /**
   * One multi-row INSERT for a tenant's batch (arrays unnested server-side). Ids are time-ordered
   * (UUIDv7 from the event's own time) and made here rather than by the column's default, which
   * stays for other writers: the SQL `uuid_v7()` costs Postgres 4.9 µs per id on this machine
   * (`SELECT count(uuid_v7()) FROM generate_series(1, 1000000)`: 4.9 s; gen_random_uuid: 1.0 s),
   * a sixth of the row's whole cost, on the cores the requests share; here it is 0.6 µs.
   */
  async insert(tenantId: string, events: AuditEvent[]): Promise<void> {
    const columns: unknown[][] = COLUMNS.map(() => []);
    for (const event of events) {
      const values = [
        uuidV7(event.occurredAt), event.occurredAt, event.subject, event.clientId, event.tokenId ?? null, event.channel, event.kind, event.name,
        event.argsDigest ?? null, event.outcome, event.errorCode ?? null, event.httpStatus ?? null, event.latencyMs, event.requestId ?? null,
      ];
      values.forEach((value, index) => columns[index].push(value));
    }
    const unnest = TYPES.map((type, index) => `$${index + 2}::${type}[]`).join(', ');
    await this.db.run(tenantId, (manager) =>
      manager.query(`INSERT INTO audit_log (tenant_id, ${COLUMNS.join(', ')}) SELECT $1, * FROM unnest(${unnest})`, [tenantId, ...columns]),
    );
  }

  async list(tenantId: string, query: AuditListQuery): Promise<AuditPage> {
    const where = ['tenant_id = $1'];
    const params: unknown[] = [tenantId];
    const add = (clause: (placeholder: string) => string, value: unknown) => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    if (query.from) add((p) => `occurred_at >= ${p}::timestamptz`, query.from);
    if (query.to) add((p) => `occurred_at < ${p}::timestamptz`, query.to);
    if (query.actor) add((p) => `(subject = ${p} OR client_id = ${p})`, query.actor);
    if (query.tool) add((p) => `name = ${p}`, query.tool);
    const after = decodeAuditCursor(query.cursor);
    if (after) {
      params.push(after.occurredAt, after.id);
      where.push(`(occurred_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(query.limit + 1);
    const rows: AuditRow[] = await this.db.run(tenantId, (manager) =>
      manager.query(
        `SELECT id, ${OCCURRED_AT_TEXT} AS occurred_at_text, subject, client_id, token_id, channel, kind, name, args_digest,
                outcome, error_code, http_status, latency_ms, request_id
           FROM audit_log WHERE ${where.join(' AND ')}
          ORDER BY occurred_at DESC, id DESC LIMIT $${params.length}`,
        params,
      ),
    );
    const more = rows.length > query.limit;
    const page = more ? rows.slice(0, query.limit) : rows;
    const last = page[page.length - 1];
    return {
      data: page.map(toRecord),
      nextCursor: more && last ? Buffer.from(JSON.stringify([last.occurred_at_text, last.id])).toString('base64url') : null,
    };
  }
}

function toRecord(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    occurredAt: row.occurred_at_text,
    subject: row.subject,
    clientId: row.client_id,
    tokenId: row.token_id,
    channel: row.channel,
    kind: row.kind,
    name: row.name,
    argsDigest: row.args_digest,
    outcome: row.outcome,
    errorCode: row.error_code,
    httpStatus: row.http_status,
    latencyMs: Number(row.latency_ms),
    requestId: row.request_id,
  };
}

/** Only cursors this API issued decode; anything else is a 400, never a full scan. */
function decodeAuditCursor(cursor: string | undefined): { occurredAt: string; id: string } | undefined {
  if (cursor === undefined) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || !CURSOR_TIMESTAMP.test(String(decoded[0])) || !UUID.test(String(decoded[1]))) {
    throw new ValidationError('Invalid query: query.cursor is not a valid cursor', [{ path: 'query.cursor', message: 'is not a valid cursor' }]);
  }
  return { occurredAt: decoded[0] as string, id: decoded[1] as string };
}
