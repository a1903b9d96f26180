import { ValidationError } from '../../common/errors/domain-error.js';

/**
 * Reads the expected version from `If-Match: "<version>"` (a weak `W/` tag or a bare number is
 * accepted too). Absent → undefined; anything else is a 400.
 */
export function parseIfMatch(header: string | undefined): number | undefined {
  // `*` means "whatever the current version is": no precondition.
  if (header === undefined || header.trim() === '' || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!match) {
    throw new ValidationError('Invalid If-Match header: must be the ETag "<version>" of the record', [
      { path: 'headers.if-match', message: 'must be "<version>"' },
    ]);
  }
  return Number(match[1]);
}

/** The ETag of a record version. */
export function etagOf(version: number): string {
  return `"${version}"`;
}
