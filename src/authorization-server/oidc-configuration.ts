import type Provider from 'oidc-provider';
import type { ClientMetadata, Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { AppConfig } from '../config/app-config.js';
import { CLIENT_TENANT_METADATA, DEMO_CLIENTS, demoUser, SWAGGER_UI_CLIENT_ID } from './demo-identities.js';
import { offeredScopes, requestableScopes } from './offered-scopes.js';

/** Where the embedded authorization server is mounted; its issuer is `${PUBLIC_URL}/oauth`. */
export const AS_MOUNT_PATH = '/oauth';

/** The provider's endpoints, relative to the issuer (Swagger's OAuth2 scheme uses them too). */
export const AS_ROUTES = {
  authorization: '/auth',
  token: '/token',
  jwks: '/jwks',
  registration: '/reg',
  revocation: '/token/revocation',
} as const;

/** Where the login/consent page lives, relative to the issuer. */
export const INTERACTION_PATH = '/interaction';

const DAY_SECONDS = 24 * 60 * 60;
type OidcModule = typeof import('oidc-provider');
type OidcErrors = OidcModule['errors'];
const OIDC_SCOPES = ['openid', 'offline_access'];

export interface ProviderSetup {
  config: AppConfig;
  jwks: { keys: object[] };
  cookieKeys: string[];
  demoClientSecret: string;
  adapter: NonNullable<Configuration['adapter']>;
}

/**
 * The oidc-provider instance of the embedded authorization server: OAuth 2.1 (code + PKCE S256
 * only, no implicit), client credentials, rotating refresh tokens bounded to 24 h, open dynamic
 * registration (RFC 7591), resource indicators (RFC 8707) with JWT access tokens (RFC 9068) for
 * our one resource. Features we do not use are off. The library is loaded here, on first use, so
 * that a process with an external issuer never loads it.
 */
export async function createOidcProvider(setup: ProviderSetup): Promise<Provider> {
  const { config } = setup;
  const { default: Provider, errors, interactionPolicy } = await import('oidc-provider');
  const provider = new Provider(config.auth.issuer, {
    adapter: setup.adapter,
    clients: staticClients(config, setup.demoClientSecret),
    jwks: setup.jwks as Configuration['jwks'],
    cookies: { keys: setup.cookieKeys },
    scopes: [...OIDC_SCOPES, ...offeredScopes()],
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    pkce: { required: () => true },
    routes: AS_ROUTES,
    extraClientMetadata: {
      properties: [CLIENT_TENANT_METADATA],
      validator: (ctx, key, value, metadata) => validateClientMetadata(errors, ctx, key, value, metadata),
    },
    findAccount: (_ctx, id) => {
      const user = demoUser(id);
      if (!user) return undefined;
      return { accountId: user.id, claims: () => ({ sub: user.id, name: user.name, [config.auth.tenantClaim]: user.tenantId }) };
    },
    extraTokenClaims: (ctx, token) => tenantClaim(errors, ctx, token, config.auth.tenantClaim),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      registration: { enabled: true, initialAccessToken: false },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf ?? config.resourceUrl,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => resourceServer(errors, config, indicator),
      },
      // Our resource server accepts bearer tokens only: a DPoP-bound token must not be issued.
      dPoP: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      userinfo: { enabled: false },
    },
    ttl: {
      AccessToken: config.auth.accessTokenTtlSeconds,
      ClientCredentials: config.auth.accessTokenTtlSeconds,
      IdToken: config.auth.accessTokenTtlSeconds,
      AuthorizationCode: 60,
      Interaction: 10 * 60,
      Session: DAY_SECONDS,
      // Outlives the refresh-token chain it backs.
      Grant: DAY_SECONDS + 10 * 60,
      // Rotated on every use; the chain as a whole ends 24 h after the first one was issued.
      RefreshToken: (ctx) => ctx?.oidc.entities.RotatedRefreshToken?.remainingTTL ?? DAY_SECONDS,
    },
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // MCP clients are not browsers: their refresh tokens do not end with the login session.
    expiresWithSession: async () => false,
    // Our own pages (Swagger UI) may call the token endpoint for any client; other browser origins
    // only for a public client whose redirect URI lives there.
    clientBasedCORS: (_ctx, origin, client) =>
      origin === new URL(config.publicUrl).origin ||
      (client.clientAuthMethod === 'none' && client.redirectUris?.some((uri) => URL.parse(uri)?.origin === origin) === true),
    interactions: {
      url: (_ctx, interaction) => `${publicBasePath(config)}${AS_MOUNT_PATH}${INTERACTION_PATH}/${interaction.uid}`,
      policy: loginEveryTime(interactionPolicy),
    },
  });
  // URLs are built from the forwarded host/protocol, which the mount pins to PUBLIC_URL.
  provider.proxy = true;
  return provider;
}

/** The path PUBLIC_URL adds in front of ours (a reverse proxy serving us under a prefix). */
export function publicBasePath(config: AppConfig): string {
  return new URL(config.publicUrl).pathname.replace(/\/+$/, '');
}

function staticClients(config: AppConfig, secret: string): ClientMetadata[] {
  const confidential: ClientMetadata[] = DEMO_CLIENTS.map((client) => ({
    client_id: client.clientId,
    client_secret: secret,
    client_name: client.description,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: requestableScopes(client.scopes).join(' '),
    [CLIENT_TENANT_METADATA]: client.tenantId,
  }));
  const swaggerUi: ClientMetadata = {
    client_id: SWAGGER_UI_CLIENT_ID,
    client_name: 'Swagger UI (API docs)',
    application_type: 'web',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [`${config.publicUrl}/docs/oauth2-redirect.html`],
    token_endpoint_auth_method: 'none',
  };
  return [...confidential, swaggerUi];
}

/**
 * A client's tenant comes from our own configuration only: registration cannot claim one, and a
 * client without one cannot use client credentials (its tokens would name no tenant).
 */
function validateClientMetadata(
  errors: OidcErrors,
  ctx: KoaContextWithOIDC | undefined,
  key: string,
  value: unknown,
  metadata: ClientMetadata,
): void {
  if (key !== CLIENT_TENANT_METADATA) return;
  if (value !== undefined && ctx?.oidc?.route === 'registration') {
    throw new errors.InvalidClientMetadata(`${CLIENT_TENANT_METADATA} cannot be registered`);
  }
  if (value === undefined && metadata.grant_types?.includes('client_credentials')) {
    throw new errors.InvalidClientMetadata(
      'client_credentials is for the demo clients only; registered clients use authorization_code (a person picks the tenant)',
    );
  }
}

/** RFC 8707: this server issues tokens for our resource only, with `aud` = RESOURCE_URL exactly. */
function resourceServer(errors: OidcErrors, config: AppConfig, indicator: string) {
  if (URL.parse(indicator)?.href !== URL.parse(config.resourceUrl)?.href) {
    throw new errors.InvalidTarget(`this authorization server issues tokens for ${config.resourceUrl} only`);
  }
  return {
    scope: offeredScopes().join(' '),
    audience: config.resourceUrl,
    accessTokenTTL: config.auth.accessTokenTtlSeconds,
    accessTokenFormat: 'jwt' as const,
    jwt: { sign: { alg: 'RS256' as const } },
  };
}

/** The tenant claim: the client's tenant for client credentials, the picked user's for a person. */
async function tenantClaim(
  errors: OidcErrors,
  ctx: KoaContextWithOIDC,
  token: { kind: string; clientId?: string; accountId?: string; scope?: string },
  claim: string,
): Promise<Record<string, string>> {
  if (token.kind === 'ClientCredentials') {
    const client = ctx.oidc.client ?? (token.clientId ? await ctx.oidc.provider.Client.find(token.clientId) : undefined);
    // RFC 6749 §3.3: no default scope here; the request must say what it needs (the error lists what it may ask for).
    if (!token.scope) throw new errors.InvalidScope('scope is required', client?.scope ?? '');
    const tenant = client?.[CLIENT_TENANT_METADATA];
    if (typeof tenant !== 'string') throw new errors.UnauthorizedClient('this client has no tenant');
    return { [claim]: tenant };
  }
  const user = token.accountId ? demoUser(token.accountId) : undefined;
  if (!user) throw new errors.AccessDenied('the account has no tenant');
  return { [claim]: user.tenantId };
}

/**
 * Every authorization shows the login page, so a person always picks who (and so which tenant)
 * the client acts for; the page grants consent in the same step.
 */
function loginEveryTime(interactionPolicy: OidcModule['interactionPolicy']) {
  const policy = interactionPolicy.base();
  policy.get('login')!.checks.add(
    new interactionPolicy.Check('pick_demo_user', 'a demo user is picked for every authorization', (ctx) =>
      ctx.oidc.result?.login ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT,
    ),
  );
  return policy;
}
