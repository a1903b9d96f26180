import { fetchJsonBounded } from '../../auth/jwks/bounded-fetch.js';
import { metadataUrls } from '../../auth/jwks/issuer-discovery.js';
import { AS_ROUTES } from '../../authorization-server/oidc-configuration.js';
import type { AppConfig } from '../../config/app-config.js';

export interface OAuthEndpoints {
  authorizationUrl?: string;
  tokenUrl?: string;
}

// Start-up must not wait long on an issuer that is slow or down: then Swagger offers bearer only.
const DISCOVERY_DEADLINE_MS = 1_500;

/** The embedded issuer's endpoints, known without asking it (it is not listening yet at boot). */
export function embeddedOAuthEndpoints(config: AppConfig): OAuthEndpoints {
  return { authorizationUrl: `${config.auth.issuer}${AS_ROUTES.authorization}`, tokenUrl: `${config.auth.issuer}${AS_ROUTES.token}` };
}

/**
 * An external issuer's endpoints from its metadata (RFC 8414, then OpenID discovery), checked to
 * name the same issuer; undefined when it does not answer within the deadline.
 */
export async function discoverOAuthEndpoints(issuer: string): Promise<OAuthEndpoints | undefined> {
  const deadline = Date.now() + DISCOVERY_DEADLINE_MS;
  for (const url of metadataUrls(issuer)) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    try {
      const metadata = (await fetchJsonBounded(url, { deadlineMs: remaining, maxBytes: 256 * 1024 })) as Record<string, unknown>;
      if (metadata.issuer !== issuer && metadata.issuer !== `${issuer}/`) continue;
      const endpoints = { authorizationUrl: httpUrl(metadata.authorization_endpoint), tokenUrl: httpUrl(metadata.token_endpoint) };
      if (endpoints.tokenUrl) return endpoints;
    } catch {
      // try the next location
    }
  }
  return undefined;
}

function httpUrl(value: unknown): string | undefined {
  return typeof value === 'string' && /^https?:\/\//.test(value) ? value : undefined;
}
