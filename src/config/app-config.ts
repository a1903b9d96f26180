import { resolve } from 'node:path';
import { z } from 'zod';
import { envSchema } from './env.schema.js';

/** The validated, derived configuration every module reads (never `process.env`). */
export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  publicUrl: string;
  resourceUrl: string;
  dataDir: string;
  logLevel: string;
  shutdownGraceMs: number;
  database: { url?: string; embedded: boolean };
  auth: {
    /** Unset → the embedded authorization server at `${publicUrl}/oauth` is on. */
    issuer: string;
    embeddedIssuer: boolean;
    jwksUri?: string;
    audience: string;
    tenantClaim: string;
    algorithms: string[];
    clockToleranceSeconds: number;
    maxTokenAgeSeconds: number;
    requiredTyp?: string;
    accessTokenTtlSeconds: number;
    jwks: { cacheSeconds: number; staleSeconds: number; cooldownSeconds: number; timeoutMs: number };
  };
  tenants: { autoProvision: boolean };
  demo: { seed: boolean; clientSecret?: string };
  mcp: { allowedOrigins: string[]; conformanceFixtures: boolean };
  redisUrl?: string;
  notifications: NotificationsConfig;
  rateLimit: RateLimitConfig;
  forecast: { snapshotTimeoutMs: number };
  /** Cached analytics answers per tenant; ttlSeconds 0 → off. */
  readCache: { ttlSeconds: number; maxEntries: number };
  /** Prometheus `/metrics` on its own listener; undefined → not served. */
  metrics?: { port: number; host: string };
  /** OpenTelemetry traces; undefined → off (nothing loaded). */
  tracing?: { endpoint: string; serviceName: string };
  http: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number };
}

export interface RateLimitConfig {
  enabled: boolean;
  windowMs: number;
  /** Requests per window; 0 = that limit is off. */
  perClient: number;
  perTenant: number;
  perIp: number;
  authFailuresPerIp: number;
}

export interface NotificationsConfig {
  worker: { enabled: boolean; concurrency: number; pollIntervalMs: number; leaseMs: number };
  delivery: { timeoutMs: number; maxResponseBytes: number; maxAttempts: number; retryBaseMs: number; retryMaxMs: number };
  egress: { allowLocalHosts: string[]; slackHosts: string[] };
  rateLimit: { limit: number; windowSeconds: number };
  /** Unset → e-mail destinations cannot be created. */
  smtp?: { url: string; from: string; requireTls: boolean };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses an environment (string map) into the AppConfig. Throws ConfigError whose message names
 * every offending variable, so a bad value stops start-up with one clear line.
 */
export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, present));
  const e = parsed.data;
  const publicUrl = e.PUBLIC_URL ?? `http://localhost:${e.PORT}`;
  const resourceUrl = e.RESOURCE_URL ?? publicUrl;
  const embeddedDatabase = e.DATABASE_URL === undefined;
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    resourceUrl,
    dataDir: resolve(e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    database: { url: e.DATABASE_URL, embedded: embeddedDatabase },
    auth: {
      issuer: e.AUTH_ISSUER ?? `${publicUrl}/oauth`,
      embeddedIssuer: e.AUTH_ISSUER === undefined,
      jwksUri: e.AUTH_JWKS_URI,
      audience: e.AUTH_AUDIENCE ?? resourceUrl,
      tenantClaim: e.AUTH_TENANT_CLAIM,
      algorithms: e.AUTH_ALGORITHMS,
      clockToleranceSeconds: e.AUTH_CLOCK_TOLERANCE_SECONDS,
      maxTokenAgeSeconds: e.AUTH_MAX_TOKEN_AGE_SECONDS,
      requiredTyp: e.AUTH_REQUIRED_TYP,
      accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
      jwks: {
        cacheSeconds: e.AUTH_JWKS_CACHE_SECONDS,
        staleSeconds: e.AUTH_JWKS_STALE_SECONDS,
        cooldownSeconds: e.AUTH_JWKS_COOLDOWN_SECONDS,
        timeoutMs: e.AUTH_JWKS_TIMEOUT_MS,
      },
    },
    tenants: { autoProvision: e.TENANT_AUTO_PROVISION },
    demo: { seed: e.DEMO_DATA ?? embeddedDatabase, clientSecret: e.DEMO_CLIENT_SECRET },
    mcp: { allowedOrigins: e.MCP_ALLOWED_ORIGINS, conformanceFixtures: e.MCP_CONFORMANCE_FIXTURES },
    redisUrl: e.REDIS_URL,
    notifications: notificationsConfig(e),
    rateLimit: {
      enabled: e.RATE_LIMIT_ENABLED,
      windowMs: 60_000,
      perClient: e.RATE_LIMIT_PER_CLIENT_PER_MINUTE,
      perTenant: e.RATE_LIMIT_PER_TENANT_PER_MINUTE,
      perIp: e.RATE_LIMIT_PER_IP_PER_MINUTE,
      authFailuresPerIp: e.RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE,
    },
    forecast: { snapshotTimeoutMs: e.FORECAST_SNAPSHOT_TIMEOUT_MS },
    readCache: { ttlSeconds: e.READ_CACHE_TTL_SECONDS, maxEntries: e.READ_CACHE_MAX_ENTRIES },
    metrics: e.METRICS_PORT === undefined ? undefined : { port: e.METRICS_PORT, host: e.METRICS_HOST },
    tracing: e.OTEL_EXPORTER_OTLP_ENDPOINT ? { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME } : undefined,
    http: {
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    },
  };
}

function notificationsConfig(e: z.output<typeof envSchema>): NotificationsConfig {
  // Hosts compare as WHATWG URL hostnames: lower case, IPv6 literals in brackets.
  const hostname = (host: string) => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host).toLowerCase();
  return {
    worker: {
      enabled: e.NOTIFY_WORKER_ENABLED ?? e.NODE_ENV !== 'test',
      concurrency: e.NOTIFY_WORKER_CONCURRENCY,
      pollIntervalMs: e.NOTIFY_POLL_INTERVAL_MS,
      leaseMs: e.NOTIFY_LEASE_SECONDS * 1000,
    },
    delivery: {
      timeoutMs: e.NOTIFY_DELIVERY_TIMEOUT_MS,
      maxResponseBytes: e.NOTIFY_MAX_RESPONSE_BYTES,
      maxAttempts: e.NOTIFY_MAX_ATTEMPTS,
      retryBaseMs: e.NOTIFY_RETRY_BASE_MS,
      retryMaxMs: Math.max(e.NOTIFY_RETRY_MAX_MS, e.NOTIFY_RETRY_BASE_MS),
    },
    egress: { allowLocalHosts: e.NOTIFY_ALLOW_LOCAL_HOSTS.map(hostname), slackHosts: e.NOTIFY_SLACK_HOSTS.map(hostname) },
    rateLimit: { limit: e.NOTIFY_RATE_LIMIT, windowSeconds: e.NOTIFY_RATE_WINDOW_SECONDS },
    smtp: e.SMTP_URL ? { url: e.SMTP_URL, from: e.SMTP_FROM, requireTls: e.SMTP_REQUIRE_TLS } : undefined,
  };
}

/** The one place that reads the process environment. */
export function loadConfigFromProcessEnv(): AppConfig {
  return parseConfig(process.env);
}

function describeIssues(error: z.ZodError, env: Record<string, string | undefined>): string[] {
  return error.issues.map((issue) => {
    const variable = String(issue.path[0] ?? '?');
    const value = env[variable];
    // Never echo what might be a secret.
    const shown = value === undefined || /SECRET|PASSWORD|URL/.test(variable) ? '' : ` (got "${value}")`;
    return `${variable} ${issue.message}${shown}`;
  });
}
