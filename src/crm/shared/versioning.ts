import { CrmError } from '../crm.errors.js';

/** The version the client expects: from the body or If-Match (both → they must agree), or none. */
export function expectedVersion(bodyVersion: number | undefined, ifMatch: number | undefined): number | undefined {
  if (bodyVersion !== undefined && ifMatch !== undefined && bodyVersion !== ifMatch) throw CrmError.versionMismatch();
  return bodyVersion ?? ifMatch;
}

export interface VersionedUpdate<R> {
  expected: number | undefined;
  /** Reads the current version (locking the row when asked), undefined when there is no such row. */
  currentVersion(lock: boolean): Promise<number | undefined>;
  /** The compare-and-set write; undefined when the version no longer matched. */
  write(version: number): Promise<R | undefined>;
  notFound(): Error;
}

/**
 * Optimistic locking: `UPDATE … WHERE version = $expected`. Stale → 409 with the current version,
 * nothing written. Without an expected version the row is locked first, so the write applies to
 * the version just read (no lost update between the read and the write).
 */
export async function updateVersioned<R>(update: VersionedUpdate<R>): Promise<R> {
  const version = update.expected ?? (await update.currentVersion(true));
  if (version === undefined) throw update.notFound();
  const written = await update.write(version);
  if (written !== undefined) return written;
  const current = await update.currentVersion(false);
  throw current === undefined ? update.notFound() : CrmError.staleVersion(current);
}
