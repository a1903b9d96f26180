import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  stop(): Promise<number | null>;
}

/** Starts `node [flags] script` and waits for its first stdout line `{"url": …}`. */
export async function startScript(script: string, env: Record<string, string>, nodeFlags: string[] = []): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeFlags, script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (chunk) => (output += chunk));
  const lines = createInterface({ input: child.stdout! });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => String(line)),
    once(child, 'exit').then(([code]) => ({ code })),
  ]);
  if (typeof first !== 'string') throw new Error(`${script} exited (${String(first.code)}) before listening:\n${output}`);
  lines.on('line', (line) => (output += `${line}\n`));
  const { url } = JSON.parse(first) as { url: string };
  return { child, url, output: () => output, stop: () => stop(child) };
}

/**
 * The product's environment as every bench runs it: production mode on 127.0.0.1, an external
 * issuer (the bench's), logs at warn, metrics on, rate limits set out of reach; `overrides` last.
 */
export function benchProductEnv(port: number, databaseUrl: string, issuerUrl: string, overrides: Record<string, string> = {}): Record<string, string> {
  const unlimited = '1000000000';
  return {
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: databaseUrl,
    AUTH_ISSUER: issuerUrl,
    LOG_LEVEL: 'warn',
    METRICS_PORT: '0',
    RATE_LIMIT_PER_CLIENT_PER_MINUTE: unlimited,
    RATE_LIMIT_PER_TENANT_PER_MINUTE: unlimited,
    ...overrides,
  };
}

/**
 * The Node flags the product runs with: those of `npm start` (package.json), which the Dockerfile's
 * CMD repeats (test/e2e/deployment-files.e2e.spec.ts holds the two together), so a bench measures
 * the product as it is shipped.
 */
export function productNodeFlags(packageJson = 'package.json'): string[] {
  const start = (JSON.parse(readFileSync(packageJson, 'utf8')) as { scripts: { start: string } }).scripts.start;
  const match = /^node((?: --[\w-]+(?:=\S+)?)*) dist\/main\.js$/.exec(start);
  if (!match) throw new Error(`package.json's start script is not "node [--flags] dist/main.js": ${start}`);
  return match[1]!.split(' ').filter(Boolean);
}

/** Starts the built product (`dist/main.js` with `npm start`'s Node flags) and waits until `readyUrl` answers 200. */
export async function startProduct(main: string, env: Record<string, string>, readyUrl: string, nodeFlags: string[] = []): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...productNodeFlags(), ...nodeFlags, main], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the app exited (${child.exitCode}) during start-up:\n${output}`);
    const status = await fetch(readyUrl).then((response) => response.status, () => 0);
    if (status === 200) return { child, url: new URL(readyUrl).origin, output: () => output, stop: () => stop(child) };
    await new Promise((done) => setTimeout(done, 250));
  }
  child.kill('SIGKILL');
  throw new Error(`the app was not ready within 90 s:\n${output}`);
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

/** Resident memory now and at its peak, in MB (Linux /proc). */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** CPU time (user + system) the process has used so far, in microseconds (Linux /proc). */
export function cpuMicrosOf(pid: number): number {
  return cpuMicrosOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/**
 * CPU time (user + system) of the process's main thread alone (its thread id is the pid), in µs:
 * the JavaScript thread. A Node server can also work on libuv's thread pool (WebCrypto, zlib, fs)
 * beside it; requests per second are capped by this thread, not by the process's total.
 */
export function mainThreadCpuMicrosOf(pid: number): number {
  return cpuMicrosOfStat(readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8'));
}

/** User + system CPU from a `/proc/<pid>/stat` line, in microseconds. */
function cpuMicrosOfStat(stat: string): number {
  // After "pid (comm) " (comm may hold spaces and parentheses: take the last ") "): state is
  // field 0, utime field 11, stime field 12, in clock ticks (100/s on Linux).
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / 100;
}

/**
 * CPU time (user + system) used so far by each Postgres process on this machine, in microseconds
 * by pid: a target that writes (the audit row of an MCP call) makes Postgres work on the same cores.
 */
export function databaseCpuMicros(): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited since the listing
    }
    if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'postgres') continue;
    byPid.set(Number(entry), cpuMicrosOfStat(stat));
  }
  return byPid;
}

/**
 * What Postgres used between two readings: each process's growth, all of a new one's. A process
 * that exited in between (an idle pool connection closed) takes its share with it: it counts 0,
 * not minus what it had used before; a new one, or a reused pid, counts all it used.
 */
export function databaseCpuMicrosBetween(before: Map<number, number>, after: Map<number, number>): number {
  let micros = 0;
  for (const [pid, used] of after) {
    const earlier = before.get(pid) ?? 0;
    micros += used >= earlier ? used - earlier : used; // less than before: the pid was reused
  }
  return micros;
}
