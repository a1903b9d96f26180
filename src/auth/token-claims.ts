import type { AppConfig } from '../config/app-config.js';
import type { Principal } from './principal.js';

/** Tenant ids: the same shape the `tenants` table accepts. Anything else fails closed (T22). */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const KID_MAX_LENGTH = 256;
// RFC 9068 §4 media type, compared case-insensitively with the optional `application/` prefix.
const ACCESS_TOKEN_TYP = /^(application\/)?at\+jwt$/i;

export class TokenRejected extends Error {}

export interface JoseHeader {
  alg: string;
  kid: string;
}

/**
 * Checks the protected header before any key is looked up: compact JWS only, an allowed `alg`
 * (exact case, so `None`/`nOnE` fail), a string `kid`, no `crit` (we understand no extensions,
 * and jsonwebtoken would silently ignore them, T08), and the `typ` policy.
 */
export function checkHeader(token: string, auth: AppConfig['auth']): JoseHeader {
  if (!JWS_COMPACT.test(token)) throw new TokenRejected('not a compact JWS');
  const header = decodeSegment(token.slice(0, token.indexOf('.')));
  if (typeof header.alg !== 'string' || !auth.algorithms.includes(header.alg)) throw new TokenRejected('algorithm not allowed');
  if ('crit' in header) throw new TokenRejected('crit not understood');
  if ('zip' in header || 'enc' in header) throw new TokenRejected('JWE not accepted');
  if (typeof header.kid !== 'string' || header.kid.length === 0 || header.kid.length > KID_MAX_LENGTH) {
    throw new TokenRejected('kid missing or malformed');
  }
  checkTyp(header.typ, auth.requiredTyp);
  return { alg: header.alg, kid: header.kid };
}

function checkTyp(typ: unknown, required: string | undefined): void {
  if (typ === undefined) {
    if (required) throw new TokenRejected('typ required');
    return;
  }
  if (typeof typ !== 'string') throw new TokenRejected('typ malformed');
  if (required) {
    if (normalizeTyp(typ) !== normalizeTyp(required)) throw new TokenRejected('typ not accepted');
    return;
  }
  // Without a configured typ (Keycloak, Entra emit "JWT"), only access-token types pass.
  if (!ACCESS_TOKEN_TYP.test(typ) && typ.toUpperCase() !== 'JWT') throw new TokenRejected('typ not accepted');
}

function normalizeTyp(typ: string): string {
  return typ.toLowerCase().replace(/^application\//, '');
}

function decodeSegment(segment: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new TokenRejected('segment is not JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new TokenRejected('segment is not a JSON object');
  return value as Record<string, unknown>;
}

/**
 * Turns a signature-verified payload (iss/aud/exp/nbf already checked by jsonwebtoken) into a
 * Principal, closing the gaps jsonwebtoken leaves: `exp` and `iat` required, bounded lifetime,
 * no future `iat`, RFC 9068 claims typed, the tenant claim present and well-formed, no ID token.
 */
export function principalFromClaims(claims: Record<string, unknown>, auth: AppConfig['auth'], nowSeconds: number): Principal {
  const { exp, iat } = claims;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new TokenRejected('exp required');
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw new TokenRejected('iat required');
  if (iat > nowSeconds + auth.clockToleranceSeconds) throw new TokenRejected('iat in the future');
  if (exp - iat > auth.maxTokenAgeSeconds) throw new TokenRejected('lifetime too long');
  if ('nonce' in claims) throw new TokenRejected('an ID token is not an access token');
  const subject = nonEmptyString(claims.sub, 'sub');
  const clientId = nonEmptyString(claims.client_id ?? claims.azp, 'client_id');
  const tokenId = nonEmptyString(claims.jti, 'jti');
  const tenantId = claims[auth.tenantClaim];
  if (typeof tenantId !== 'string' || !TENANT_ID_PATTERN.test(tenantId)) throw new TokenRejected('tenant claim missing or malformed');
  return { subject, clientId, tenantId, tokenId, scopes: readScopes(claims), expiresAt: exp };
}

function nonEmptyString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new TokenRejected(`${name} missing or malformed`);
  return value;
}

/** `scope` (a space-delimited string, RFC 8693 §4.2) when present, else `scp` (array); never a union (T31). */
function readScopes(claims: Record<string, unknown>): string[] {
  if ('scope' in claims) {
    if (typeof claims.scope !== 'string') throw new TokenRejected('scope must be a string');
    return claims.scope.split(' ').filter(Boolean);
  }
  if ('scp' in claims) {
    const scp = claims.scp;
    if (!Array.isArray(scp) || !scp.every((item) => typeof item === 'string')) throw new TokenRejected('scp must be an array of strings');
    return scp as string[];
  }
  return [];
}

/** Where the RFC 9728 metadata for a request path lives (the MCP endpoint has its own document). */
export function resourceMetadataUrl(publicUrl: string, path: string): string {
  const suffix = path === '/mcp' || path.startsWith('/mcp/') ? '/mcp' : '';
  return `${publicUrl}/.well-known/oauth-protected-resource${suffix}`;
}
