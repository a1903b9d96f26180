import { createHash } from 'node:crypto';

/** A canonical JSON text (object keys sorted) so that two equal requests hash the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item && typeof item === 'object' && !Array.isArray(item)) {
      return Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return item;
  });
}

export function requestHash(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request ?? null)).digest('base64url');
}
