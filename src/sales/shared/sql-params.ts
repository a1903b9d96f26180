/** Collects positional parameters ($1, $2, …) while a query is assembled from fixed fragments. */
export class SqlParams {
  readonly values: unknown[] = [];

  /** Adds a value and returns its placeholder. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

export interface DealFilters {
  region?: string;
  segment?: string;
  owner?: string;
  product?: string;
}

/**
 * `AND …` conditions for the filters that are set, on opportunities `o` and accounts `a`. Only
 * values become parameters; column names come from this fixed code, never from input.
 */
export function dealFilterSql(filters: DealFilters, params: SqlParams): string {
  const parts: string[] = [];
  if (filters.region !== undefined) parts.push(`a.region = ${params.add(filters.region)}`);
  if (filters.segment !== undefined) parts.push(`a.segment = ${params.add(filters.segment)}`);
  if (filters.owner !== undefined) parts.push(`o.owner = ${params.add(filters.owner)}`);
  if (filters.product !== undefined) parts.push(`o.product = ${params.add(filters.product)}`);
  return parts.map((part) => ` AND ${part}`).join('');
}

/** Whether the query needs the account join (region and segment live on the account). */
export function needsAccount(filters: DealFilters, groupColumn?: string): boolean {
  return filters.region !== undefined || filters.segment !== undefined || (groupColumn?.startsWith('a.') ?? false);
}

/** The account join, when needed; composite on tenant so a deal can never reach another tenant's account. */
export function accountJoin(needed: boolean): string {
  return needed ? ' LEFT JOIN accounts a ON a.tenant_id = o.tenant_id AND a.id = o.account_id' : '';
}

/** pg returns numeric and bigint as strings; money is reported rounded to cents. */
export function money(value: unknown): number {
  const n = Number(value ?? 0);
  return Number.isFinite(n) ? Math.round(n * 100) / 100 : 0;
}
