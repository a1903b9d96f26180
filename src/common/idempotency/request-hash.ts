import { hash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';

/** SHA-256 of the request's canonical JSON: two equal requests hash the same, whatever their key order. */
export function requestHash(request: unknown): string {
  return hash('sha256', canonicalJson(request ?? null), 'base64url');
}
