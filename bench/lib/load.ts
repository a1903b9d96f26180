import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { cpuMicrosOf, mainThreadCpuMicrosOf, databaseCpuMicros, databaseCpuMicrosBetween, memoryOf } from './processes.js';

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
    // wrk (C) when it is installed, else autocannon (Node): see `Loader`.
    loader: { type: 'string', default: 'auto' },
  } as const;
}

/** Those options, parsed. */
export async function loadSettingsOf(args: { duration?: string; rounds?: string; warmup?: string; connections?: string; loader?: string }): Promise<LoadSettings> {
  return {
    durationSeconds: Number(args.duration),
    rounds: Number(args.rounds),
    warmupSeconds: Number(args.warmup),
    connections: Number(args.connections),
    loader: await loaderOf(args.loader ?? 'auto'),
  };
}

/**
 * The load generator. It shares the cores with the servers, so its own CPU per request counts
 * against every target — more against the ones whose answers are larger (it reads every byte):
 * autocannon, in this Node process, spends ≈ 2–3× the CPU of wrk per request. `auto` takes wrk
 * (Debian/Ubuntu package `wrk`) when it is on the PATH, else autocannon; the table says which ran,
 * and what it cost per request.
 */
export type Loader = 'wrk' | 'autocannon';

async function loaderOf(choice: string): Promise<Loader> {
  if (choice === 'autocannon' || choice === 'wrk') return choice;
  if (choice !== 'auto') throw new Error(`--loader must be wrk, autocannon or auto (got ${choice})`);
  return (await run('wrk', ['--version']).then(() => true, (error: { stdout?: string }) => Boolean(error.stdout?.includes('wrk')))) ? 'wrk' : 'autocannon';
}

export interface LoadSettings {
  loader: Loader;
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
  /** The part of it spent on the server's main (JavaScript) thread. */
  mainThreadCpuMicrosPerRequest: number;
  /** CPU all Postgres processes spent per answer over the same rounds (the server's database work). */
  databaseCpuMicrosPerRequest: number;
  /** Requests answered in the measured rounds. */
  requests: number;
  /** Non-2xx answers and socket errors across the measured rounds (should be 0). */
  failures: number;
  rounds: { requestsPerSecond: number; p50Ms: number; p99Ms: number }[];
  /** CPU the load generator spent per answer (this process for autocannon, the wrk processes for wrk). */
  loaderCpuMicrosPerRequest: number;
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

interface RoundResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  failures: number;
  /** The load generator's CPU for the round (µs). */
  loaderCpuMicros: number;
}

function fire(request: LoadRequest, settings: LoadSettings, seconds: number): Promise<RoundResult> {
  return settings.loader === 'wrk' ? fireWrk(request, settings.connections, seconds) : fireAutocannon(request, settings.connections, seconds);
}

async function fireAutocannon(request: LoadRequest, connections: number, seconds: number): Promise<RoundResult> {
  const before = process.cpuUsage();
  const result = await autocannon({
    url: request.url,
    method: request.method ?? 'GET',
    headers: request.headers,
    body: request.body,
    connections,
    pipelining: 1,
    duration: seconds,
  });
  const used = process.cpuUsage(before);
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts,
    loaderCpuMicros: used.user + used.system,
  };
}

const run = promisify(execFile);

/** One wrk thread (autocannon is one thread too), the request set by a Lua script; its summary parsed. */
async function fireWrk(request: LoadRequest, connections: number, seconds: number): Promise<RoundResult> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-wrk-'));
  const script = join(dir, 'request.lua');
  const lines = [`wrk.method = ${JSON.stringify(request.method ?? 'GET')}`];
  if (request.body !== undefined) lines.push(`wrk.body = ${luaString(request.body)}`);
  // Header names are tokens (plain ASCII): a quoted Lua string; `[[[` would not parse.
  for (const [name, value] of Object.entries(request.headers ?? {})) lines.push(`wrk.headers[${JSON.stringify(name)}] = ${luaString(value)}`);
  await writeFile(script, `${lines.join('\n')}\n`);
  try {
    // bash's `times` prints, last, the user and system CPU of the children it waited for: wrk's.
    const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, request.url];
    const { stdout } = await run('bash', ['-c', 'wrk "$@" && times', 'wrk', ...args], { maxBuffer: 1 << 20 });
    return { ...parseWrk(stdout), loaderCpuMicros: childrenCpuMicros(stdout) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The last line of bash's `times`: `0m1.234s 0m0.567s` (children's user and system CPU). */
function childrenCpuMicros(output: string): number {
  const last = output.trim().split('\n').at(-1) ?? '';
  const times = [...last.matchAll(/(\d+)m([\d.]+)s/g)].map((match) => (Number(match[1]) * 60 + Number(match[2])) * 1e6);
  if (times.length !== 2) throw new Error(`could not read the CPU time of wrk: ${last}`);
  return times[0]! + times[1]!;
}

export function luaString(value: string): string {
  // A Lua long string can hold anything but its own closing bracket.
  let level = '';
  while (value.includes(`]${level}]`)) level += '=';
  return `[${level}[${value}]${level}]`;
}

/** wrk's summary: Requests/sec, the 50 % and 99 % latencies, the requests, non-2xx answers and socket errors. */
export function parseWrk(output: string): Omit<RoundResult, 'loaderCpuMicros'> {
  const number = (pattern: RegExp) => Number(pattern.exec(output)?.[1] ?? NaN);
  const latencyMs = (percent: number) => {
    const match = new RegExp(`^\\s+${percent}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(output);
    if (!match) return NaN;
    const value = Number(match[1]);
    return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
  };
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output)?.slice(1).reduce((sum, count) => sum + Number(count), 0) ?? 0;
  const result = {
    requestsPerSecond: number(/Requests\/sec:\s+([\d.]+)/),
    p50Ms: latencyMs(50),
    p99Ms: latencyMs(99),
    requests: number(/(\d+) requests in /),
    failures: (Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0)) + socketErrors,
  };
  if (Object.values(result).some(Number.isNaN)) throw new Error(`could not read wrk's output:\n${output}`);
  return result;
}

/**
 * A warm-up, then `rounds` bounded runs of `durationSeconds` on keep-alive connections; the medians
 * of requests/s, p50 and p99 across rounds, the server's RSS afterwards, and its CPU per request.
 */
export async function measure(request: LoadRequest, pid: number, settings: LoadSettings): Promise<LoadResult> {
  return (await measureInterleaved([{ request, pid }], settings))[0]!;
}

/** How long after a round its server's and Postgres's CPU are still counted to it (the audit trail writes every 100 ms). */
const TRAILING_WORK_MS = 300;

/**
 * `measure` for several targets at once, their rounds interleaved (round 1 of each target, then
 * round 2 of each…): what slows the machine for a while (another tenant of the host, a clock
 * change) then falls on every target alike instead of on whichever ran then, and the ratios
 * between targets — what the benches report — hold still from run to run. Each round is preceded
 * by its target's warm-up; the server's and Postgres's CPU are counted over its target's rounds
 * only (the server is idle before each round: `settle`).
 */
export async function measureInterleaved(targets: { request: LoadRequest; pid: number }[], settings: LoadSettings, onRound?: (index: number, round: number) => void): Promise<LoadResult[]> {
  const rounds: RoundResult[][] = targets.map(() => []);
  const cpuMicros = targets.map(() => 0);
  const mainThreadMicros = targets.map(() => 0);
  const databaseMicros = targets.map(() => 0);
  const from = nowMicros();
  for (let round = 0; round < settings.rounds; round++) {
    for (const [index, { request, pid }] of targets.entries()) {
      onRound?.(index, round);
      await settle(pid);
      // Warmed up before every round, not once: a server left idle while the others ran has let
      // its heap shrink (V8's memory reducer) and its caches go cold; the first target of a
      // process that serves several would otherwise be the only warm one.
      if (settings.warmupSeconds > 0) await fire(request, settings, settings.warmupSeconds);
      await settle(pid);
      const [cpuBefore, mainBefore, databaseBefore] = [cpuMicrosOf(pid), mainThreadCpuMicrosOf(pid), databaseCpuMicros()];
      rounds[index]!.push(await fire(request, settings, settings.durationSeconds));
      // What the round's answers left to do (a batch of audit rows written every 100 ms) is theirs too.
      await new Promise((done) => setTimeout(done, TRAILING_WORK_MS));
      cpuMicros[index]! += cpuMicrosOf(pid) - cpuBefore;
      mainThreadMicros[index]! += mainThreadCpuMicrosOf(pid) - mainBefore;
      databaseMicros[index]! += databaseCpuMicrosBetween(databaseBefore, databaseCpuMicros());
    }
  }
  const to = nowMicros();
  return targets.map(({ pid }, index) => {
    const own = rounds[index]!;
    const requests = own.reduce((sum, round) => sum + round.requests, 0);
    const memory = memoryOf(pid);
    return {
      requestsPerSecond: median(own.map((round) => round.requestsPerSecond)),
      p50Ms: median(own.map((round) => round.p50Ms)),
      p99Ms: median(own.map((round) => round.p99Ms)),
      rssMb: memory.rssMb,
      peakRssMb: memory.peakMb,
      cpuMicrosPerRequest: cpuMicros[index]! / Math.max(1, requests),
      mainThreadCpuMicrosPerRequest: mainThreadMicros[index]! / Math.max(1, requests),
      databaseCpuMicrosPerRequest: databaseMicros[index]! / Math.max(1, requests),
      loaderCpuMicrosPerRequest: own.reduce((sum, round) => sum + round.loaderCpuMicros, 0) / Math.max(1, requests),
      requests,
      failures: own.reduce((sum, round) => sum + round.failures, 0),
      rounds: own.map(({ requestsPerSecond, p50Ms, p99Ms }) => ({ requestsPerSecond, p50Ms, p99Ms })),
      windowMicros: [from, to],
    };
  });
}
