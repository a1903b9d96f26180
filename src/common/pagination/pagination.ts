import { z } from 'zod';
import { ValidationError } from '../errors/domain-error.js';

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

/** One page of a keyset-paginated list; `nextCursor` is null on the last page. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** The keyset position after which the next page starts: `(created_at, id)`, newest first. */
export interface KeysetPosition {
  /** Microsecond-precision UTC timestamp as Postgres prints it (a JS Date would lose precision). */
  createdAt: string;
  id: string;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Digits only: `1e9`, `0x10`, `-1`, `[]` and repeated parameters are 400s, not coerced (catalog T50).
export const limitSchema = z
  .string()
  .regex(/^\d{1,4}$/, { error: `must be an integer from 1 to ${MAX_PAGE_SIZE}` })
  .transform(Number)
  .pipe(z.number().int().min(1, { error: 'must be at least 1' }).max(MAX_PAGE_SIZE, { error: `must be at most ${MAX_PAGE_SIZE}` }))
  .optional()
  .describe(`Page size, 1–${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})`);

export const cursorSchema = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9_-]+$/, { error: 'is not a valid cursor' })
  .optional()
  .describe('Opaque cursor from the previous page’s nextCursor');

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

/** Decodes an opaque cursor; anything that is not one we issued is a 400 (never a full scan). */
export function decodeCursor(cursor: string | undefined): KeysetPosition | undefined {
  if (cursor === undefined) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (
    !Array.isArray(decoded) || decoded.length !== 2 ||
    typeof decoded[0] !== 'string' || !TIMESTAMP.test(decoded[0]) ||
    typeof decoded[1] !== 'string' || !UUID.test(decoded[1])
  ) {
    throw new ValidationError('Invalid query: query.cursor is not a valid cursor', [{ path: 'query.cursor', message: 'is not a valid cursor' }]);
  }
  return { createdAt: decoded[0], id: decoded[1] };
}

/**
 * Builds a page from `limit + 1` fetched rows: the extra row only tells that another page exists.
 * Rows carry their keyset position as `cursor_created_at` and `id`.
 */
export function toPage<R extends { id: string; cursor_created_at: string }, T>(rows: R[], limit: number, map: (row: R) => T): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    data: pageRows.map(map),
    nextCursor: hasMore && last ? encodeCursor({ createdAt: last.cursor_created_at, id: last.id }) : null,
  };
}

/** SQL expression printing `created_at` the way cursors carry it. */
export const CURSOR_CREATED_AT_SQL = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
