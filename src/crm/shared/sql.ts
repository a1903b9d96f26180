import type { EntityManager } from 'typeorm';

/** Runs a statement and returns its rows and affected count (UPDATE/DELETE included). */
export async function execute<R>(manager: EntityManager, sql: string, params: unknown[]): Promise<{ rows: R[]; affected: number }> {
  // Work always runs in TenantDb.run, whose manager owns a query runner (the transaction's).
  const runner = manager.queryRunner;
  if (!runner) throw new Error('execute() needs a transactional EntityManager (TenantDb.run)');
  const result = await runner.query(sql, params, true);
  return { rows: (result.records ?? []) as R[], affected: result.affected ?? 0 };
}

/** A literal `ILIKE` pattern for a search term: `%` and `_` in the term match only themselves. */
export function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/**
 * Collects WHERE conditions and their bound parameters. Column names come from the code, values
 * only ever as parameters (catalog T48/T49).
 */
export class Conditions {
  readonly params: unknown[];
  private readonly parts: string[] = [];

  constructor(...initial: unknown[]) {
    this.params = [...initial];
  }

  /** Adds a condition; `$?` in the SQL is replaced by the next parameter's placeholder. */
  add(sql: string, ...values: unknown[]): this {
    let rendered = sql;
    for (const value of values) {
      this.params.push(value);
      rendered = rendered.replace('$?', `$${this.params.length}`);
    }
    this.parts.push(rendered);
    return this;
  }

  /** The next placeholder, for LIMIT and the like. */
  bind(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  sql(): string {
    return this.parts.length ? this.parts.join(' AND ') : 'true';
  }
}

/**
 * Renders `SET col = $n, …` for the fields present in a patch. Only fields listed in `columns`
 * can reach SQL; the map is the allow-list.
 */
export function setClause(patch: Record<string, unknown>, columns: Record<string, string>, params: unknown[]): string[] {
  const sets: string[] = [];
  for (const [field, column] of Object.entries(columns)) {
    if (!Object.hasOwn(patch, field) || patch[field] === undefined) continue;
    params.push(patch[field]);
    sets.push(`${column} = $${params.length}`);
  }
  return sets;
}

export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string; driverError?: { code?: string } })?.code === '23505' ||
    (error as { driverError?: { code?: string } })?.driverError?.code === '23505';
}

export function iso(value: Date | string | null): string | null {
  if (value === null) return null;
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

/** numeric comes back from pg as a string; amounts fit a double exactly (≤ 14 significant digits). */
export function money(value: string | null): number | null {
  return value === null ? null : Number(value);
}

/** The constraint a Postgres error names (unique/foreign key), for choosing which field to blame. */
export function violatedConstraint(error: unknown): string | undefined {
  const candidate = error as { constraint?: string; driverError?: { constraint?: string } };
  return candidate?.constraint ?? candidate?.driverError?.constraint;
}
