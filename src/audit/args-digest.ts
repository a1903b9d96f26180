import { hash } from 'node:crypto';
import { canonicalJson } from '../common/canonical-json.js';

/**
 * SHA-256 (hex) of the canonical JSON of a value: object keys sorted at every level, no
 * whitespace, `undefined` members dropped. A tenant can recompute it from the arguments it sent
 * to prove what was called without the audit trail ever storing those arguments.
 */
export function digestArguments(value: unknown): string {
  return hash('sha256', canonicalJson(value), 'hex');
}
