import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

// Seconds; spans a cached read (~1 ms) to a slow forecast (~10 s).
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** As in the audit trail: ran and answered, ran and failed, refused for scope, refused before running (bad arguments, unknown tool). */
export type ToolOutcome = 'ok' | 'error' | 'denied' | 'rejected';

/**
 * The application's Prometheus metrics, in a registry of its own (several apps may share a test
 * process). Other modules record through these methods; label values must come from small fixed
 * sets (route templates, tool names, reasons), never from user input.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status (rate = _count)',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly toolDuration = new Histogram({
    name: 'mcp_tool_call_duration_seconds',
    help: 'MCP tools/call (over /mcp and the RPC twins) by tool and outcome (rate = _count)',
    labelNames: ['tool', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly authFailures = new Counter({
    name: 'auth_failures_total',
    help: 'Requests refused by authentication, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly jwksFetches = new Counter({
    name: 'jwks_fetches_total',
    help: 'Fetches of the issuer JWKS, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly rateLimited = new Counter({
    name: 'rate_limited_total',
    help: 'Requests answered 429, by the limit they hit',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });
  private readonly rateLimitStoreErrors = new Counter({
    name: 'rate_limit_store_errors_total',
    help: 'Rate-limit decisions that could not reach the store (the request was let through)',
    registers: [this.registry],
  });
  private readonly readCacheLookups = new Counter({
    name: 'read_cache_lookups_total',
    help: 'Cached analytics answers asked for: hit, miss (computed and kept), or bypass (cache off or change feed down)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly readCacheChildren = {
    hit: this.readCacheLookups.labels('hit'),
    miss: this.readCacheLookups.labels('miss'),
    bypass: this.readCacheLookups.labels('bypass'),
  };
  // prom-client hashes a label object on every observe; a child per label tuple is looked up once.
  private readonly httpChildren = new Map<string, Observer>();
  private readonly toolChildren = new Map<string, Observer>();
  private processMetrics = false;

  recordHttpRequest(method: string, route: string, status: number, seconds: number): void {
    childOf(this.httpChildren, `${method} ${status} ${route}`, () => this.httpDuration.labels(method, route, String(status))).observe(seconds);
  }

  /** `tool`: a registered tool's name or `(unknown)` (McpCallLog), so the series stay bounded. */
  recordToolCall(tool: string, outcome: ToolOutcome, seconds: number): void {
    childOf(this.toolChildren, `${outcome} ${tool}`, () => this.toolDuration.labels(tool, outcome)).observe(seconds);
  }

  /** `reason`: a short fixed code (e.g. `missing_token`, `invalid_token`, `expired`, `unknown_tenant`). */
  recordAuthFailure(reason: string): void {
    this.authFailures.labels(reason).inc();
  }

  /** `outcome`: e.g. `ok`, `error`, `timeout`, `rejected`. */
  recordJwksFetch(outcome: string): void {
    this.jwksFetches.labels(outcome).inc();
  }

  recordReadCacheLookup(outcome: 'hit' | 'miss' | 'bypass'): void {
    this.readCacheChildren[outcome].inc();
  }

  recordRateLimited(limit: string): void {
    this.rateLimited.labels(limit).inc();
  }

  recordRateLimitStoreError(): void {
    this.rateLimitStoreErrors.inc();
  }

  /** A gauge whose value is read at scrape time (may be async; throwing leaves it unreported). */
  registerGauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    collect: (gauge: Gauge<L>) => void | Promise<void>,
  ): void {
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        try {
          await collect(this);
        } catch {
          this.reset();
        }
      },
    });
  }

  /** Process metrics (CPU, memory, event-loop lag, GC), once: only when metrics are served. */
  enableProcessMetrics(): void {
    if (this.processMetrics) return;
    this.processMetrics = true;
    collectDefaultMetrics({ register: this.registry });
  }

  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

interface Observer {
  observe(value: number): void;
}

/** The cached child for a label tuple's key, made once. */
function childOf(children: Map<string, Observer>, key: string, make: () => Observer): Observer {
  let child = children.get(key);
  if (!child) {
    child = make();
    children.set(key, child);
  }
  return child;
}
