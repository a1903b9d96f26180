import type { IncomingHttpHeaders } from 'node:http';

/** What the reader needs of a request: Fastify's request has it all (Node's `rawHeaders` under `raw`). */
export interface CredentialSource {
  headers: IncomingHttpHeaders;
  raw: { rawHeaders: string[] };
  body?: unknown;
  query?: unknown;
}

export type BearerCredentials =
  | { kind: 'none' }
  | { kind: 'token'; token: string }
  | { kind: 'malformed'; reason: string };

// RFC 6750 §2.1: `Bearer` (case-insensitive) + exactly one space + a token68.
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;
const BEARER_SCHEME = /^Bearer(?:\s|$)/i;

/**
 * Reads the access token from the Authorization header only (never the query string, body or
 * cookies: those are ignored, T59). Repeated headers, extra parts or an empty token are
 * malformed (400, T60); another scheme (Basic…) counts as no token (401).
 */
export function readBearerCredentials(request: CredentialSource): BearerCredentials {
  const occurrences = countHeader(request.raw.rawHeaders, 'authorization');
  if (occurrences > 1) return { kind: 'malformed', reason: 'More than one Authorization header' };
  const value = request.headers.authorization;
  if (value === undefined || !BEARER_SCHEME.test(value)) return { kind: 'none' };
  const match = BEARER.exec(value);
  if (!match) return { kind: 'malformed', reason: 'Malformed Bearer credentials' };
  if (carriesTokenElsewhere(request)) {
    // RFC 6750 §3.1: more than one method of sending the token is an invalid request.
    return { kind: 'malformed', reason: 'Token sent by more than one method' };
  }
  return { kind: 'token', token: match[1] };
}

function countHeader(rawHeaders: string[], name: string): number {
  let count = 0;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    if (rawHeaders[index].toLowerCase() === name) count++;
  }
  return count;
}

function carriesTokenElsewhere(request: CredentialSource): boolean {
  const body = request.body as Record<string, unknown> | undefined;
  const query = request.query as Record<string, unknown> | undefined;
  return Boolean(
    (body && typeof body === 'object' && !Array.isArray(body) && 'access_token' in body) ||
      (query && 'access_token' in query),
  );
}
