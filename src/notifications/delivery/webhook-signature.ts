import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header names of a webhook delivery (documented for receivers). */
export const SIGNATURE_HEADER = 'Sales-Signature';
export const EVENT_ID_HEADER = 'Sales-Event-Id';
export const ATTEMPT_HEADER = 'Sales-Delivery-Attempt';

/** How far a receiver should let a signature's timestamp be from its clock (Stripe's default). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the whole secret>`. The
 * timestamp is inside the MAC, so a captured request cannot be replayed later with a fresh one.
 */
export function signatureHeader(secret: string, body: string, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${hmacHex(secret, `${timestampSeconds}.${body}`)}`;
}

/**
 * The receiver's check, for our docs and unit tests: a v1 signature over the raw body matches
 * and the timestamp is within the tolerance. Several v1 entries are allowed (secret rotation).
 */
export function verifySignature(
  header: string | undefined,
  body: string,
  secret: string,
  options: { nowSeconds?: number; toleranceSeconds?: number } = {},
): boolean {
  if (!header) return false;
  const parts = header.split(',').map((part) => part.trim().split('=', 2) as [string, string | undefined]);
  const timestamp = Number(parts.find(([key]) => key === 't')?.[1]);
  if (!Number.isInteger(timestamp)) return false;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return false;
  const expected = Buffer.from(hmacHex(secret, `${timestamp}.${body}`), 'hex');
  return parts
    .filter(([key, value]) => key === 'v1' && value !== undefined && /^[0-9a-f]{64}$/.test(value))
    .some(([, value]) => timingSafeEqual(Buffer.from(value!, 'hex'), expected));
}

function hmacHex(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload, 'utf8').digest('hex');
}
