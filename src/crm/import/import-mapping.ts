import { z } from 'zod';
import { ValidationError } from '../../common/errors/domain-error.js';
import { PRESETS } from './import-presets.js';
import {
  ACCOUNT_IMPORT_FIELDS,
  accountImportRowSchema,
  importMappingSchema,
  OPPORTUNITY_IMPORT_FIELDS,
  opportunityImportRowSchema,
  type AccountImportRow,
  type ImportEntity,
  type ImportMapping,
  type OpportunityImportRow,
} from './import.schemas.js';

export type MappedRow<E extends ImportEntity> = E extends 'accounts' ? AccountImportRow : OpportunityImportRow;
export type MapResult<E extends ImportEntity> = { ok: true; row: MappedRow<E> } | { ok: false; reasons: string[] };

const DATE_FIELDS = new Set(['closeDate', 'createdAt', 'closedAt']);
const snakeCase = (field: string) => field.replace(/[A-Z]/g, (char) => `_${char.toLowerCase()}`);

/** A preset name, a JSON mapping, or (absent) our own field names in camelCase or snake_case. */
export function resolveMapping(entity: ImportEntity, mapping: string | undefined): ImportMapping {
  if (mapping === undefined) return { columns: {}, values: {} };
  const preset = PRESETS[mapping.toLowerCase()];
  if (preset) {
    const forEntity = preset[entity];
    if (!forEntity) throw invalidMapping(`preset ${mapping} has no mapping for ${entity}`);
    return forEntity;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(mapping);
  } catch {
    throw invalidMapping(`must be one of ${Object.keys(PRESETS).join(', ')} or a JSON mapping`);
  }
  const result = importMappingSchema.safeParse(parsed);
  if (!result.success) throw invalidMapping(result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; '));
  return result.data;
}

function invalidMapping(message: string): ValidationError {
  return new ValidationError(`Invalid mapping: ${message}`, [{ path: 'query.mapping', message }]);
}

/** Turns one source record (a CSV row or a JSON object) into a validated row of ours, or reasons. */
export class RowMapper<E extends ImportEntity> {
  private readonly fields: readonly string[];
  private readonly candidates = new Map<string, string[]>();
  private readonly values = new Map<string, Map<string, string>>();
  private readonly schema: z.ZodType;

  constructor(
    private readonly entity: E,
    private readonly mapping: ImportMapping,
  ) {
    this.fields = entity === 'accounts' ? ACCOUNT_IMPORT_FIELDS : OPPORTUNITY_IMPORT_FIELDS;
    this.schema = entity === 'accounts' ? accountImportRowSchema : opportunityImportRowSchema;
    for (const field of this.fields) {
      const configured = (mapping.columns as Record<string, string | string[] | undefined>)[field];
      this.candidates.set(field, configured === undefined ? [field, snakeCase(field)] : [configured].flat());
    }
    for (const [field, table] of Object.entries(mapping.values)) {
      this.values.set(field, new Map(Object.entries(table ?? {}).map(([from, to]) => [from.trim().toLowerCase(), to])));
    }
  }

  map(record: unknown): MapResult<E> {
    if (!record || typeof record !== 'object' || Array.isArray(record)) return { ok: false, reasons: ['is not an object'] };
    const source = record as Record<string, unknown>;
    const candidate: Record<string, string> = {};
    const reasons: string[] = [];
    for (const field of this.fields) {
      const column = this.candidates.get(field)!.find((name) => Object.hasOwn(source, name));
      if (column === undefined) continue;
      const raw = source[column];
      if (raw !== null && typeof raw === 'object') {
        reasons.push(`${field}: must be a plain value`);
        continue;
      }
      const value = this.normalize(field, raw === null || raw === undefined ? '' : String(raw).trim());
      if (value !== '') candidate[field] = value;
    }
    if (this.entity === 'opportunities') this.applyStatusAndName(candidate);
    const result = this.schema.safeParse(candidate);
    if (!result.success) reasons.push(...result.error.issues.map((issue) => `${issue.path.join('.') || 'row'}: ${issue.message}`));
    return reasons.length ? { ok: false, reasons } : { ok: true, row: result.data as MappedRow<E> };
  }

  private normalize(field: string, value: string): string {
    if (value === '') return value;
    const mapped = this.values.get(field)?.get(value.toLowerCase());
    if (mapped !== undefined) return mapped;
    if (DATE_FIELDS.has(field)) return normalizeDate(value, this.mapping.dateFormat, field === 'closeDate');
    if (field === 'amount') return value.replace(/[\s$€£¥,]/g, '');
    if (field === 'currency') return value.toUpperCase();
    return value;
  }

  /** A won/lost status sets the stage; a missing name is built from the account and product. */
  private applyStatusAndName(candidate: Record<string, string>): void {
    const status = candidate.status;
    delete candidate.status;
    if (status === 'closed_won' || status === 'closed_lost') candidate.stage = status;
    if (candidate.name === undefined) {
      const derived = [candidate.accountName, candidate.product].filter(Boolean).join(' – ') || candidate.externalId;
      if (derived) candidate.name = derived;
    }
  }
}

/** ISO stays ISO (a date-only field keeps its date part); d/m/y or m/d/y slashes follow the mapping. */
export function normalizeDate(value: string, format: 'MDY' | 'DMY' | undefined, dateOnly: boolean): string {
  const slashed = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:[ T](.*))?$/.exec(value);
  if (slashed && format) {
    const [, first, second, year, time] = slashed;
    const [month, day] = format === 'MDY' ? [first!, second!] : [second!, first!];
    const date = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
    return dateOnly || !time ? date : `${date}T${time}`;
  }
  if (dateOnly && /^\d{4}-\d{2}-\d{2}[T ]/.test(value)) return value.slice(0, 10);
  return value;
}
