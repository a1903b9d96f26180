import { createHash } from 'node:crypto';

/**
 * SHA-256 (hex) of the canonical JSON of a value: object keys sorted at every level, no
 * whitespace, `undefined` members dropped. A tenant can recompute it from the arguments it sent
 * to prove what was called without the audit trail ever storing those arguments.
 */
export function digestArguments(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
  return `{${members.join(',')}}`;
}
