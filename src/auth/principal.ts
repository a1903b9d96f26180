/** Who is calling, as established from a validated access token. Reaches every handler and service. */
export interface Principal {
  /** `sub`: the user or, for client credentials, the client. */
  subject: string;
  /** `client_id` (or `azp`) of the OAuth client that holds the token. */
  clientId: string;
  /** The tenant named by the tenant claim (AUTH_TENANT_CLAIM); every query is scoped to it. */
  tenantId: string;
  /** Granted scopes (from `scope` or `scp`). */
  scopes: string[];
  /** `jti`, when the token has one. */
  tokenId?: string;
  /** `exp`, seconds since the epoch. */
  expiresAt: number;
}
