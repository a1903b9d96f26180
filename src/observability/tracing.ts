import type { AppConfig } from '../config/app-config.js';

/**
 * OpenTelemetry traces, only when OTEL_EXPORTER_OTLP_ENDPOINT is set: spans for incoming and
 * outgoing HTTP, Express routing and every pg query, exported over OTLP/HTTP (JSON) in batches.
 * When unset, nothing of OpenTelemetry is even loaded. It hooks modules as they are required, so
 * main.ts calls it before importing anything that loads http, express or pg.
 * Returns the flush-and-stop function for shutdown.
 */
export async function startTracing(tracing: AppConfig['tracing']): Promise<(() => Promise<void>) | undefined> {
  if (!tracing) return undefined;
  // CommonJS packages (pg) are hooked as they are required; ESM importers (Nest imports express
  // as ESM) need the loader hook too, limited to what is instrumented.
  const { register } = await import('node:module');
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data: { include: ['express'] } });
  const [{ NodeSDK }, { OTLPTraceExporter }, { HttpInstrumentation }, { ExpressInstrumentation }, { PgInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-express'),
    import('@opentelemetry/instrumentation-pg'),
  ]);
  const sdk = new NodeSDK({
    serviceName: tracing.serviceName,
    traceExporter: new OTLPTraceExporter({ url: `${tracing.endpoint}/v1/traces` }),
    instrumentations: [
      // Probes and scrapes would drown the traces that matter.
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => (request.url ?? '').startsWith('/health/') }),
      new ExpressInstrumentation(),
      // Statement text only (no bound values: they may carry customer data).
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
    ],
  });
  sdk.start();
  return () => sdk.shutdown();
}
