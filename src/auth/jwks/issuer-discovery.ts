import { fetchJsonBounded } from './bounded-fetch.js';

/**
 * Where the issuer's metadata lives: RFC 8414 (path-inserted well-known) first, then OpenID
 * Connect Discovery. Auth0, Okta, Keycloak, Entra and Scalekit serve at least one of them.
 */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  return [
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${url.origin}${path}/.well-known/openid-configuration`,
  ];
}

/** Finds `jwks_uri` from the issuer's metadata, checking that the metadata names the same issuer. */
export async function discoverJwksUri(issuer: string, deadlineMs: number): Promise<string> {
  const failures: string[] = [];
  for (const url of metadataUrls(issuer)) {
    try {
      const metadata = (await fetchJsonBounded(url, { deadlineMs, maxBytes: 256 * 1024 })) as Record<string, unknown>;
      // RFC 8414 §3.3 / OIDC Discovery §4.3: the issuer in the document must be identical to the one we
      // trust — byte for byte, as `iss` is compared: `https://as/` and `https://as` are different issuers.
      if (metadata.issuer !== issuer) throw new Error(`issuer mismatch (${String(metadata.issuer).slice(0, 200)})`);
      if (typeof metadata.jwks_uri !== 'string') throw new Error('no jwks_uri');
      return metadata.jwks_uri;
    } catch (error) {
      failures.push(`${url}: ${(error as Error).message}`);
    }
  }
  throw new Error(`could not discover jwks_uri for ${issuer}: ${failures.join('; ')}`);
}
