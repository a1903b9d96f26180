/**
 * TypeORM's `query` answers UPDATE and DELETE with `[rows, affectedCount]` and everything else
 * with the rows; this reads the rows whichever shape came back.
 */
export function returnedRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}

/** True when a query failed on a unique constraint (SQLSTATE 23505), optionally a named one. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const candidate = error as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = candidate?.code ?? candidate?.driverError?.code;
  const name = candidate?.constraint ?? candidate?.driverError?.constraint;
  return code === '23505' && (constraint === undefined || name === constraint);
}

export function iso(value: Date | string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
