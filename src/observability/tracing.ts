import type { AppConfig } from '../config/app-config.js';

/**
 * OpenTelemetry traces, only when OTEL_EXPORTER_OTLP_ENDPOINT is set: spans for incoming and
 * outgoing HTTP, Fastify's request lifecycle (@fastify/otel: routing, hooks, handler) and every pg
 * query, exported over OTLP/HTTP (JSON) in batches. When unset, nothing of OpenTelemetry is even
 * loaded. It hooks modules as they are required, so main.ts calls it before importing anything
 * that loads http or pg; @fastify/otel attaches itself to each Fastify instance as it is created
 * (Fastify's `fastify.initialization` diagnostics channel), so it too must start first.
 * Returns the flush-and-stop function for shutdown.
 */
export async function startTracing(tracing: AppConfig['tracing']): Promise<(() => Promise<void>) | undefined> {
  if (!tracing) return undefined;
  const [{ NodeSDK }, { OTLPTraceExporter }, { HttpInstrumentation }, { FastifyOtelInstrumentation }, { PgInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/instrumentation-http'),
    import('@fastify/otel'),
    import('@opentelemetry/instrumentation-pg'),
  ]);
  const sdk = new NodeSDK({
    serviceName: tracing.serviceName,
    traceExporter: new OTLPTraceExporter({ url: `${tracing.endpoint}/v1/traces` }),
    instrumentations: [
      // Probes and scrapes would drown the traces that matter.
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => (request.url ?? '').startsWith('/health/') }),
      new FastifyOtelInstrumentation({ registerOnInitialization: true, ignorePaths: (route) => route.url.startsWith('/health/') }),
      // Statement text only (no bound values: they may carry customer data).
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
    ],
  });
  sdk.start();
  return () => sdk.shutdown();
}
