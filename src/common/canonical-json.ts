/**
 * The canonical JSON text of a value: object keys sorted at every level, no whitespace,
 * `undefined` members dropped (`null` in arrays) and `toJSON` honoured, as JSON.stringify does —
 * so two equal values give the same text, whatever order their keys came in. Hashed by the audit
 * trail's argument digest and the idempotency keys' request hash.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  // What JSON.stringify would write for it (a Date: its ISO text), not its own (absent) keys.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return canonicalJson((value as { toJSON(): unknown }).toJSON());
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
  return `{${members.join(',')}}`;
}
