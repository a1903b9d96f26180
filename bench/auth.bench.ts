import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { loadOptions, nowMicros } from './lib/load.js';
import { summarizeProfile, type Marker } from './lib/profile.js';

/**
 * `npm run bench:auth [-- --duration 5 --rounds 3 --warmup 2 --connections 50 --no-profile]`
 *
 * In one run, on 127.0.0.1 with the JWKS warm: requests/s, p50/p99 and server CPU per request of
 * GET /bench/auth (bearer token + scope check, the full production guard chain) and of the same
 * handler public (GET /bench/public), in alternating rounds; then the ratio. The authenticated
 * route is measured twice: as shipped (verified-token cache on, one token reused as agents do) and
 * on a second server with the cache off (every request fully verified: the figure before the
 * cache). Then, unless
 * --no-profile, a second server run under `node --cpu-prof` loaded on the authenticated route
 * only, and what dominates its CPU time. Load generator and server share the machine's cores:
 * compare the ratio, not the absolute figures (PERF-NOTES.md).
 */
const { values: args } = parseArgs({
  options: {
    ...loadOptions(),
    'no-profile': { type: 'boolean', default: false },
  },
});
const DURATION = Number(args.duration);
const ROUNDS = Number(args.rounds);
const WARMUP = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
const SERVER = resolve('dist/bench-build/bench/auth-server.js');
const PROFILE_DIR = resolve('bench/results/cpu');

interface Server {
  child: ChildProcess;
  url: string;
  token: string;
}

async function startServer(nodeFlags: string[] = [], env: Record<string, string> = {}): Promise<Server> {
  const child = spawn(process.execPath, [...nodeFlags, SERVER], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const lines = createInterface({ input: child.stdout! });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => line as string),
    once(child, 'exit').then(([code]) => ({ code: code as number | null })),
  ]);
  if (typeof first !== 'string') throw new Error(`bench server exited with ${String(first.code)} before it was ready`);
  const { url, token } = JSON.parse(first) as { url: string; token: string };
  return { child, url, token };
}

async function stopServer(server: Server): Promise<void> {
  const exited = once(server.child, 'exit');
  server.child.kill('SIGTERM');
  await exited;
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** Server CPU time (user + system) per request, µs: less sensitive than req/s to a busy machine. */
  cpuPerRequestUs: number;
}

/** CPU seconds used so far by a process (Linux /proc; clock ticks of 10 ms). */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function load(url: string, seconds: number, headers: Record<string, string> = {}, pid?: number): Promise<Figures> {
  const cpuBefore = pid ? await cpuSeconds(pid) : 0;
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers });
  const cpu = pid ? (await cpuSeconds(pid)) - cpuBefore : 0;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    cpuPerRequestUs: result.requests.total > 0 ? (cpu * 1e6) / result.requests.total : 0,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

interface Scenario {
  name: string;
  path: string;
  /** Which server: the app as shipped, or the same app with the verified-token cache off. */
  server: 'shipped' | 'noCache';
  auth: boolean;
}

const SCENARIOS: Scenario[] = [
  { name: 'GET /bench/public (no auth)', path: '/bench/public', server: 'shipped', auth: false },
  { name: 'GET /bench/auth (Bearer + scope)', path: '/bench/auth', server: 'shipped', auth: true },
  { name: 'GET /bench/auth, token cache off', path: '/bench/auth', server: 'noCache', auth: true },
];

async function measure(): Promise<void> {
  const servers = { shipped: await startServer(), noCache: await startServer([], { BENCH_TOKEN_CACHE: 'off' }) };
  const run = (scenario: Scenario, seconds: number) => {
    const server = servers[scenario.server];
    const headers: Record<string, string> = scenario.auth ? { authorization: `Bearer ${server.token}` } : {};
    return load(`${server.url}${scenario.path}`, seconds, headers, server.child.pid);
  };
  try {
    for (const scenario of SCENARIOS) await run(scenario, WARMUP);
    const rounds = new Map<string, Figures[]>(SCENARIOS.map((scenario) => [scenario.name, []]));
    // Alternating rounds, so that drift on a shared machine hits every scenario alike.
    for (let round = 0; round < ROUNDS; round++) {
      for (const scenario of SCENARIOS) rounds.get(scenario.name)!.push(await run(scenario, DURATION));
    }
    printTable(rounds);
  } finally {
    await stopServer(servers.shipped);
    await stopServer(servers.noCache);
  }
}

function printTable(rounds: Map<string, Figures[]>): void {
  console.log(`\nauth bench: ${ROUNDS} × ${DURATION} s per scenario after ${WARMUP} s warm-up, ${CONNECTIONS} connections, loopback, JWKS warm (medians)\n`);
  console.log('| scenario | req/s | p50 ms | p99 ms | server CPU µs/req | non-2xx | rounds (req/s) |');
  console.log('|---|--:|--:|--:|--:|--:|---|');
  const summary = new Map<string, Figures>();
  for (const [name, figures] of rounds) {
    const row: Figures = {
      rps: median(figures.map((f) => f.rps)),
      p50: median(figures.map((f) => f.p50)),
      p99: median(figures.map((f) => f.p99)),
      non2xx: figures.reduce((sum, f) => sum + f.non2xx + f.errors, 0),
      errors: 0,
      cpuPerRequestUs: median(figures.map((f) => f.cpuPerRequestUs)),
    };
    summary.set(name, row);
    const cells = [Math.round(row.rps), row.p50, row.p99, Math.round(row.cpuPerRequestUs), row.non2xx, figures.map((f) => Math.round(f.rps)).join(' / ')];
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  }
  const base = summary.get(SCENARIOS[0].name)!;
  for (const scenario of SCENARIOS.slice(1)) {
    const row = summary.get(scenario.name)!;
    const extraCpu = Math.round(row.cpuPerRequestUs - base.cpuPerRequestUs);
    console.log(
      `\n${scenario.name} vs public: req/s ratio ${(row.rps / base.rps).toFixed(2)}, p99 ratio ${(row.p99 / Math.max(base.p99, 1)).toFixed(2)}, ` +
        `auth costs ${extraCpu} µs of server CPU per request`,
    );
  }
}

// Inclusive time is only meaningful for code that does not call the rest of the request under it:
// Express middleware (helmet, pino-http, the router) call `next()` synchronously, so everything
// downstream sits on their stack — those are read from the self-time tables instead.
const MARKERS: Marker[] = [
  { label: 'JwtAuthGuard (its synchronous frames)', matches: (f) => f.url.includes('/src/auth/jwt-auth.guard.js') },
  { label: 'passport + passport-jwt', matches: (f) => /node_modules\/(passport|passport-jwt|passport-strategy)\//.test(f.url) },
  { label: 'jsonwebtoken.verify', matches: (f) => f.url.includes('/jsonwebtoken/verify.js') },
  { label: 'crypto signature verify (RSA)', matches: (f) => f.url.startsWith('node:internal/crypto/sig') },
  { label: 'createPublicKey (PEM/JWK parse)', matches: (f) => f.functionName === 'createPublicKey' },
  { label: 'checkHeader / principalFromClaims (ours)', matches: (f) => f.url.includes('/src/auth/token-claims.js') },
  { label: 'JwksKeyStore.lookup', matches: (f) => f.url.includes('/src/auth/jwks/key-store.js') },
  { label: 'TenantsService.assertKnown', matches: (f) => f.url.includes('/src/auth/tenants/') },
  { label: 'VerifiedTokenCache (sha256 + map)', matches: (f) => f.url.includes('/src/auth/verified-token-cache.js') },
  { label: 'ScopesGuard', matches: (f) => f.url.includes('/src/auth/scopes.guard.js') },
  { label: '(garbage collector)', matches: (f) => f.functionName === '(garbage collector)' },
];

/** Profiles one route on its own server process (`label` names the output directory). */
async function profile(label: string, path: string, env: Record<string, string>, withToken: boolean): Promise<void> {
  const dir = join(PROFILE_DIR, label);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const server = await startServer(['--cpu-prof', `--cpu-prof-dir=${dir}`], env);
  const headers: Record<string, string> = withToken ? { authorization: `Bearer ${server.token}` } : {};
  const window: [number, number] = [0, 0];
  let requests = 0;
  try {
    await load(`${server.url}${path}`, WARMUP, headers);
    window[0] = nowMicros();
    const result = await autocannon({ url: `${server.url}${path}`, connections: CONNECTIONS, duration: DURATION * 2, headers });
    window[1] = nowMicros();
    requests = result.requests.total;
  } finally {
    await stopServer(server);
  }
  const file = (await readdir(dir)).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error('no .cpuprofile written');
  // Only the samples taken under load: start-up, warm-up and shutdown are left out.
  const summary = await summarizeProfile(join(dir, file), MARKERS, window);
  const busy = summary.totalMs - summary.idleMs;
  const pct = (ms: number) => `${((100 * ms) / busy).toFixed(1)} %`.padStart(7);
  const perRequest = (ms: number) => `${((ms * 1000) / requests).toFixed(0)} µs`.padStart(7);
  console.log(
    `\nCPU profile "${label}": GET ${path}, ${DURATION * 2} s of load, ${requests} requests, ` +
      `${((busy * 1000) / requests).toFixed(0)} µs busy per request (idle left out; ${join('bench/results/cpu', label, file)})`,
  );
  console.log('  self time by package / file:');
  for (const [bucket, ms] of summary.byBucket.filter(([name]) => name !== '(idle)').slice(0, 10)) console.log(`  ${pct(ms)} ${perRequest(ms)}  ${bucket}`);
  console.log('  self time by function (top 10):');
  for (const [name, ms] of summary.byFunction.filter(([name]) => !name.startsWith('(idle)')).slice(0, 10)) console.log(`  ${pct(ms)} ${perRequest(ms)}  ${name}`);
  console.log('  inclusive time of auth code and crypto (marker anywhere on the stack):');
  for (const [marker, ms] of summary.inclusive.filter(([, ms]) => ms > 0)) console.log(`  ${pct(ms)} ${perRequest(ms)}  ${marker}`);
}

await measure();
if (!args['no-profile']) {
  // Separate processes at separate moments: read each profile's shares, not differences of µs
  // between them (a busier machine inflates every µs figure; the table above is the comparison).
  await profile('public', '/bench/public', {}, false);
  await profile('auth-token-cache-off', '/bench/auth', { BENCH_TOKEN_CACHE: 'off' }, true);
  await profile('auth-shipped', '/bench/auth', {}, true);
}
