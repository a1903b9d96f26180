import autocannon from 'autocannon';
import { cpuMicrosOf, memoryOf } from './processes.js';

export interface LoadRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

/** The load options every bench takes (`--duration 5 --rounds 3 --warmup 2 --connections 50`), for node:util parseArgs. */
export function loadOptions(connections = 50) {
  return {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: String(connections) },
  } as const;
}

/** Those options, parsed. */
export function loadSettingsOf(args: { duration?: string; rounds?: string; warmup?: string; connections?: string }): LoadSettings {
  return { durationSeconds: Number(args.duration), rounds: Number(args.rounds), warmupSeconds: Number(args.warmup), connections: Number(args.connections) };
}

export interface LoadSettings {
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  rounds: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  rssMb: number;
  peakRssMb: number;
  cpuMicrosPerRequest: number;
  /** Requests answered in the measured rounds. */
  requests: number;
  /** Non-2xx answers and socket errors across the measured rounds (should be 0). */
  failures: number;
  rounds: { requestsPerSecond: number; p50Ms: number; p99Ms: number }[];
  /** When the measured rounds ran, on the monotonic clock V8 stamps CPU-profile samples with (µs). */
  windowMicros: [number, number];
}

/** Monotonic microseconds: `process.hrtime`, the clock of V8 CPU-profile timestamps, shared across processes. */
export const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Waits until the server has worked off what the last target left queued (a slow route keeps
 * computing after the load generator hangs up): its CPU use over 500 ms falls under 10 %.
 */
export async function settle(pid: number, maxMs = 60_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const before = cpuMicrosOf(pid);
    await new Promise((done) => setTimeout(done, 500));
    if (cpuMicrosOf(pid) - before < 50_000) return;
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function fire(request: LoadRequest, connections: number, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: request.url,
    method: request.method ?? 'GET',
    headers: request.headers,
    body: request.body,
    connections,
    pipelining: 1,
    duration: seconds,
  });
}

/**
 * A warm-up, then `rounds` bounded runs of `durationSeconds` on keep-alive connections; the medians
 * of requests/s, p50 and p99 across rounds, the server's RSS afterwards, and its CPU per request.
 */
export async function measure(request: LoadRequest, pid: number, settings: LoadSettings): Promise<LoadResult> {
  await settle(pid);
  if (settings.warmupSeconds > 0) await fire(request, settings.connections, settings.warmupSeconds);
  const rounds: LoadResult['rounds'] = [];
  let failures = 0;
  let requests = 0;
  const cpuBefore = cpuMicrosOf(pid);
  const from = nowMicros();
  for (let round = 0; round < settings.rounds; round++) {
    if (round > 0) await settle(pid);
    const result = await fire(request, settings.connections, settings.durationSeconds);
    rounds.push({ requestsPerSecond: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99 });
    failures += result.non2xx + result.errors + result.timeouts;
    requests += result.requests.total;
  }
  const to = nowMicros();
  const cpuMicrosPerRequest = (cpuMicrosOf(pid) - cpuBefore) / Math.max(1, requests);
  const memory = memoryOf(pid);
  return {
    requestsPerSecond: median(rounds.map((round) => round.requestsPerSecond)),
    p50Ms: median(rounds.map((round) => round.p50Ms)),
    p99Ms: median(rounds.map((round) => round.p99Ms)),
    rssMb: memory.rssMb,
    peakRssMb: memory.peakMb,
    cpuMicrosPerRequest,
    requests,
    failures,
    rounds,
    windowMicros: [from, to],
  };
}
