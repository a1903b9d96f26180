import { z } from 'zod';

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'on', 'off', 'yes', 'no'], {
    error: 'must be one of true|false|1|0|on|off|yes|no',
  })
  .transform((value) => ['true', '1', 'on', 'yes'].includes(value));

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .transform((value) => value.replace(/\/+$/, ''));

const commaList = z
  .string()
  .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean));

// Only asymmetric algorithms: HMAC would let anyone holding the (public) JWKS forge tokens,
// and `none` is no signature at all (catalog T01/T02).
const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

/** The raw environment as strings; every variable of CONTRACT.md plus operational knobs. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce
    .number({ error: 'must be an integer between 0 and 65535' })
    .int({ error: 'must be an integer between 0 and 65535' })
    .min(0, { error: 'must be an integer between 0 and 65535' })
    .max(65535, { error: 'must be an integer between 0 and 65535' })
    .default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: httpUrl.optional(),
  RESOURCE_URL: httpUrl.optional(),
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })
    .optional(),
  DATA_DIR: z.string().min(1).default('./.data'),
  // Kept byte-for-byte: `iss` is compared exactly, and some issuers end in a slash (Auth0).
  AUTH_ISSUER: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  AUTH_JWKS_URI: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  AUTH_JWKS_CACHE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  AUTH_JWKS_STALE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(3600),
  AUTH_JWKS_COOLDOWN_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  AUTH_JWKS_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(3000),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  AUTH_TENANT_CLAIM: z.string().min(1).default('org_id'),
  AUTH_ALGORITHMS: commaList.pipe(
    z.array(z.enum(ALLOWED_ALGORITHMS, { error: `must list only ${ALLOWED_ALGORITHMS.join(', ')}` })).min(1),
  ).default(['RS256', 'ES256']),
  AUTH_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(60).default(60),
  AUTH_MAX_TOKEN_AGE_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
  AUTH_REQUIRED_TYP: z.string().min(1).optional(),
  DEMO_DATA: booleanFlag.optional(),
  DEMO_CLIENT_SECRET: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  TENANT_AUTO_PROVISION: booleanFlag.default(false),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(300).max(3600).default(900),
  MCP_ALLOWED_ORIGINS: commaList.default([]),
  MCP_CONFORMANCE_FIXTURES: booleanFlag.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  // Notifications (issue 8): the outbox worker, its retry policy, the egress policy, e-mail.
  // Unset → on, except under NODE_ENV=test where suites that do not deliver must not claim others' messages.
  NOTIFY_WORKER_ENABLED: booleanFlag.optional(),
  NOTIFY_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  NOTIFY_POLL_INTERVAL_MS: z.coerce.number().int().min(20).max(60_000).default(1000),
  NOTIFY_LEASE_SECONDS: z.coerce.number().int().min(2).max(3600).default(60),
  NOTIFY_DELIVERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  NOTIFY_MAX_RESPONSE_BYTES: z.coerce.number().int().min(0).max(1_048_576).default(16_384),
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  NOTIFY_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(2000),
  NOTIFY_RETRY_MAX_MS: z.coerce.number().int().min(10).max(86_400_000).default(900_000),
  // Hosts (as written in destination URLs) allowed to resolve to private/loopback addresses, and to use http:.
  NOTIFY_ALLOW_LOCAL_HOSTS: commaList.default([]),
  NOTIFY_SLACK_HOSTS: commaList.default(['hooks.slack.com']),
  NOTIFY_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(60),
  NOTIFY_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
  SMTP_FROM: z.string().min(3).max(320).default('Sales Analytics <notifications@localhost>'),
  SMTP_REQUIRE_TLS: booleanFlag.default(true),
  // Production hardening (issue 9). Rate limits are per sliding minute; 0 turns one off.
  RATE_LIMIT_ENABLED: booleanFlag.default(true),
  RATE_LIMIT_PER_CLIENT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000_000).default(1200),
  RATE_LIMIT_PER_TENANT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000_000).default(6000),
  // Public routes (discovery, docs) per client IP; /health is never limited (orchestrators poll it).
  RATE_LIMIT_PER_IP_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000_000).default(600),
  // Requests answered 401 per client IP; past it, that IP gets 429 until its window slides (T79).
  RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000_000).default(1000),
  // A forecast whose pipeline rebuild (one pass over the stage history) takes longer uses the time series only, with a warning.
  FORECAST_SNAPSHOT_TIMEOUT_MS: z.coerce.number().int().min(1).max(29_000).default(25_000),
  // Answers of analytics reads (pipeline, forecast, revenue, win rates, insights) kept per tenant until its CRM data
  // changes (Postgres LISTEN/NOTIFY reaches every instance) or this many seconds pass; 0 turns the cache off.
  READ_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  READ_CACHE_MAX_ENTRIES: z.coerce.number().int().min(1).max(1_000_000).default(5_000),
  // Prometheus metrics on their own listener (unset → not served; 0 → an ephemeral port, for tests).
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  // Set → OpenTelemetry traces (http, fastify, pg) exported over OTLP/HTTP; unset → no tracing code loaded.
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('sales-analytics-mcp'),
  // Slow clients (T78): whole header section, whole request (headers + body), idle keep-alive.
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(15_000),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(5_000),
}).superRefine((env, context) => {
  if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS) {
    context.addIssue({ code: 'custom', path: ['HTTP_HEADERS_TIMEOUT_MS'], message: 'must not exceed HTTP_REQUEST_TIMEOUT_MS' });
  }
  // A lease shorter than a delivery would let a second instance claim a message still being sent.
  if (env.NOTIFY_LEASE_SECONDS * 1000 < env.NOTIFY_DELIVERY_TIMEOUT_MS + 2000) {
    context.addIssue({ code: 'custom', path: ['NOTIFY_LEASE_SECONDS'], message: 'must exceed NOTIFY_DELIVERY_TIMEOUT_MS by at least 2 s' });
  }
});

export type RawEnv = z.input<typeof envSchema>;
