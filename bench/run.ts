import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findFreePort } from '../src/database/embedded-postgres.js';
import { TestIssuer } from '../test/helpers/test-issuer.js';
import { ensureAccounts, openBenchDatabase } from './lib/bench-db.js';
import { type LoadRequest, type LoadResult, measure, measureInterleaved, loadOptions, loadSettingsOf } from './lib/load.js';
import { benchProductEnv, productNodeFlags, startProduct, startScript, type ServerProcess } from './lib/processes.js';
import { summarizeProfile } from './lib/profile.js';

/**
 * `npm run bench [-- --duration 5 --rounds 3 --warmup 2 --connections 50 --loader auto|wrk|autocannon --profile --save-baseline --only a,b,c,d,e --app-env K=V --same-flags]`
 *
 * In one run, on 127.0.0.1, each server in its own process, the same token reused (as agents do):
 *  (a) bare node:http answering the same JSON bytes as (c);
 *  (b) plain Express 5 + jose doing the same JWT checks against the same test issuer's JWKS;
 *  (c) our authenticated REST GET /api/v1/sales/pipeline (until that route exists: another
 *      authenticated read, named as such in the table);
 *  (d) our MCP tools/call on a cheap read tool: sales_get_pipeline, the same answer as (c), so d/c
 *      is MCP against REST; (d1) crm_get_account, a point read that goes to Postgres every time;
 *      (d0) MCP ping, the protocol alone; (e) MCP tools/call sales_get_forecast.
 * Our app is the built product (dist/main.js) as production runs it: `npm start`'s Node flags
 * (a young generation sized for a server), rate limiter on (limits set out of reach), metrics on,
 * logs at warn. (a) and (b) run as written, with Node's defaults; `--same-flags` gives them our
 * Node flags too, to show what the flags alone are worth. Prints requests/s, p50/p99, RSS, the
 * server's and Postgres's CPU per request, and the ratios c/b, d/b, c/a (also round by round). The load
 * generator (wrk when installed, else autocannon in this process: lib/load.ts) runs on the same
 * cores as the servers, and the table shows its CPU per request too: compare ratios within one
 * run, not absolute numbers across machines (PERF-NOTES.md).
 */
const { values: args } = parseArgs({
  options: {
    ...loadOptions(),
    profile: { type: 'boolean', default: false },
    'save-baseline': { type: 'boolean', default: false },
    // Extra settings for our app, e.g. `--app-env RATE_LIMIT_ENABLED=false --app-env LOG_LEVEL=info` (A/B runs).
    'app-env': { type: 'string', multiple: true, default: [] },
    // (a) and (b) with the product's Node flags (npm start's) instead of Node's defaults.
    'same-flags': { type: 'boolean', default: false },
    // e.g. `--only c,d` to measure (and profile) some targets alone.
    only: { type: 'string', default: 'a,b,c,c0,d,d1,d0,e' },
  },
});
const only = new Set(args.only!.split(',').map((key) => key.trim()));
const settings = await loadSettingsOf(args);

const here = dirname(fileURLToPath(import.meta.url));
const PRODUCT = resolve('dist/main.js');
const TENANT = 'acme';
const SCOPES = 'mcp:tools:sales-data:read mcp:tools:crm:read mcp:resources:customer-insights:read';
const PIPELINE = '/api/v1/sales/pipeline';
const FALLBACK_REST = '/api/v1/crm/accounts?limit=20';
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' };

interface Target {
  /** c0: not in the issue's list — a cheap REST read on the same stack, to tell framework cost from analytics cost. */
  /** d1: not in the issue's list either — MCP crm_get_account, a point read that must go to Postgres (no cache). */
  /** d0: not in the issue's list either — MCP `ping` on the same stack, to tell protocol cost from tool cost. */
  key: 'a' | 'b' | 'c' | 'c0' | 'd' | 'd1' | 'd0' | 'e';
  label: string;
  request?: LoadRequest;
  server?: ServerProcess;
  note?: string;
  result?: LoadResult;
}

const loadAtStart = loadavg()[0]!;

async function main(): Promise<void> {
  const issuer = await new TestIssuer().start();
  const database = await openBenchDatabase(TENANT);
  const port = await findFreePort();
  const base = `http://127.0.0.1:${port}`;
  const productEnv = benchProductEnv(port, database.url, issuer.url, {
    DEMO_DATA: 'true',
    ...Object.fromEntries((args['app-env'] ?? []).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])),
  });
  const now = Math.floor(Date.now() / 1000);
  const token = issuer.mint(base, {
    claims: { org_id: TENANT, sub: 'bench-agent', client_id: 'bench-client', scope: SCOPES, iat: now, nbf: now, exp: now + 3000 },
  });
  const auth = { authorization: `Bearer ${token}` };
  const targets: Target[] = [];
  let app: ServerProcess | undefined;
  const extras: ServerProcess[] = [];
  try {
    app = await startProduct(PRODUCT, productEnv, `${base}/health/ready`);
    await ensureAccounts(database.url, TENANT);
    const rest = await chooseRestTarget(base, auth);
    const accountId = await firstAccountId(base, auth);
    const mcp = await chooseMcpTargets(base, auth, accountId);
    const sameJson = { BENCH_BODY: rest.body };
    const baselineFlags = args['same-flags'] ? productNodeFlags() : [];
    const bare = await startScript(join(here, 'lib/bare-server.js'), sameJson, baselineFlags);
    const express = await startScript(
      join(here, 'lib/express-jose-server.js'),
      { ...sameJson, BENCH_ISSUER: issuer.url, BENCH_AUDIENCE: base, BENCH_JWKS_URI: issuer.jwksUri, BENCH_SCOPE: 'mcp:tools:sales-data:read' },
      baselineFlags,
    );
    extras.push(bare, express);
    targets.push(
      { key: 'a', label: 'bare node:http, same JSON', request: { url: `${bare.url}/`, headers: auth }, server: bare },
      { key: 'b', label: 'Express 5 + jose, same JWT checks', request: { url: `${express.url}/`, headers: auth }, server: express },
      { key: 'c', label: rest.label, request: { url: `${base}${rest.path}`, headers: auth }, server: app, note: rest.note },
      { key: 'c0', label: 'ours: REST GET /api/v1/crm/accounts/:id (cheap read)', request: { url: `${base}/api/v1/crm/accounts/${accountId}`, headers: auth }, server: app },
      { key: 'd', label: mcp.cheap.label, request: mcp.cheap.request, server: app, note: mcp.cheap.note },
      { key: 'd1', label: mcp.pointRead.label, request: mcp.pointRead.request, server: app, note: mcp.pointRead.note },
      { key: 'd0', label: 'ours: MCP ping (no tool, no database)', request: mcp.ping, server: app },
      { key: 'e', label: mcp.forecast.label, request: mcp.forecast.request, server: app, note: mcp.forecast.note },
    );
    // Rounds interleaved across the targets (lib/load.ts): a slow spell of the machine falls on all of them.
    const measured = targets.filter((target) => target.request && only.has(target.key));
    const results = await measureInterleaved(
      measured.map((target) => ({ request: target.request!, pid: target.server!.child.pid! })),
      settings,
      (index, round) => process.stderr.write(`round ${round + 1}/${settings.rounds}: (${measured[index]!.key}) ${measured[index]!.label}…\n`),
    );
    measured.forEach((target, index) => (target.result = results[index]));
  } finally {
    for (const server of extras) await server.stop();
    await app?.stop();
  }
  printTable(targets);
  await saveResults(targets);

  if (args.profile) {
    for (const target of targets.filter((candidate) => ['c', 'c0', 'd', 'd1', 'd0'].includes(candidate.key) && candidate.request && only.has(candidate.key))) {
      await profile(target, productEnv, base);
    }
  }
  await issuer.stop();
  await database.close();
}

/** (c): the pipeline route once it exists; until then an authenticated CRM read, labelled as such. */
async function chooseRestTarget(base: string, auth: Record<string, string>) {
  const pipeline = await fetch(`${base}${PIPELINE}`, { headers: auth });
  if (pipeline.status === 200) return { path: PIPELINE, label: `ours: REST GET ${PIPELINE}`, body: await pipeline.text(), note: undefined };
  await pipeline.body?.cancel();
  const fallback = await fetch(`${base}${FALLBACK_REST}`, { headers: auth });
  if (fallback.status !== 200) throw new Error(`${FALLBACK_REST} answered ${fallback.status}`);
  return {
    path: FALLBACK_REST,
    label: `ours: REST GET ${FALLBACK_REST}`,
    body: await fallback.text(),
    note: `${PIPELINE} answered ${pipeline.status} (not built yet): measured another authenticated read instead`,
  };
}

async function rpc(base: string, auth: Record<string, string>, method: string, params: unknown) {
  const response = await fetch(`${base}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, ...auth }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const text = await response.text();
  const json = text.startsWith('{') ? text : (text.split('\n').find((line) => line.startsWith('data: '))?.slice(6) ?? '{}');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, message: JSON.parse(json) as any };
}

async function firstAccountId(base: string, auth: Record<string, string>): Promise<string> {
  const response = await fetch(`${base}/api/v1/crm/accounts?limit=1`, { headers: auth });
  const page = (await response.json()) as { data: { id: string }[] };
  if (!page.data?.[0]) throw new Error('the bench tenant has no account');
  return page.data[0].id;
}

/** (d) and (e): MCP tools/call when /mcp and the tools exist; otherwise "not available yet". */
async function chooseMcpTargets(base: string, auth: Record<string, string>, accountId: string) {
  const unavailable = (label: string, note: string) => ({ label, note, request: undefined as LoadRequest | undefined });
  const listed = await rpc(base, auth, 'tools/list', {}).catch(() => undefined);
  if (!listed || listed.status !== 200 || !Array.isArray(listed.message.result?.tools)) {
    const note = `not available yet (/mcp tools/list answered ${listed?.status ?? 'nothing'})`;
    return { cheap: unavailable('ours: MCP tools/call (cheap read)', note), pointRead: unavailable('ours: MCP tools/call crm_get_account', note), forecast: unavailable('ours: MCP tools/call sales_get_forecast', note), ping: undefined };
  }
  const names = new Set<string>(listed.message.result.tools.map((tool: { name: string }) => tool.name));
  const call = async (name: string, args: Record<string, unknown>, label: string) => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } });
    const probe = await rpc(base, auth, 'tools/call', { name, arguments: args });
    if (probe.status !== 200 || probe.message.error || probe.message.result?.isError) {
      return unavailable(label, `not measured: ${name} answered ${probe.status} ${JSON.stringify(probe.message.error ?? probe.message.result).slice(0, 160)}`);
    }
    return { label, note: undefined, request: { url: `${base}/mcp`, method: 'POST' as const, headers: { ...MCP_HEADERS, ...auth }, body } };
  };
  // (d): the same read as (c) — the open pipeline, answered from the tenant's read cache — so that
  // (d) against (c) is MCP against REST for one answer. (d1): one account by primary key, which
  // every call reads from Postgres (a CRM record carries the version If-Match needs: never cached).
  const cheap = names.has('sales_get_pipeline')
    ? await call('sales_get_pipeline', {}, 'ours: MCP tools/call sales_get_pipeline')
    : unavailable('ours: MCP tools/call sales_get_pipeline', `not available yet (tools: ${[...names].join(', ') || 'none'})`);
  const pointRead = names.has('crm_get_account')
    ? await call('crm_get_account', { accountId }, 'ours: MCP tools/call crm_get_account (Postgres point read)')
    : unavailable('ours: MCP tools/call crm_get_account', 'not available yet (no crm_get_account tool)');
  const forecast = names.has('sales_get_forecast')
    ? await call('sales_get_forecast', {}, 'ours: MCP tools/call sales_get_forecast')
    : unavailable('ours: MCP tools/call sales_get_forecast', 'not available yet (no sales_get_forecast tool)');
  const ping = { url: `${base}/mcp`, method: 'POST' as const, headers: { ...MCP_HEADERS, ...auth }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }) };
  return { cheap, pointRead, forecast, ping };
}

function printTable(targets: Target[]): void {
  const cores = cpus();
  const rows = targets.filter((target) => target.result || target.note).map((target) => {
    const r = target.result;
    return [
      `(${target.key})`,
      target.label,
      r ? Math.round(r.requestsPerSecond).toLocaleString('en-US') : '—',
      r ? r.p50Ms.toFixed(1) : '—',
      r ? r.p99Ms.toFixed(1) : '—',
      r ? r.rssMb.toFixed(0) : '—',
      r ? r.cpuMicrosPerRequest.toFixed(0) : '—',
      r ? r.mainThreadCpuMicrosPerRequest.toFixed(0) : '—',
      r ? r.databaseCpuMicrosPerRequest.toFixed(0) : '—',
      r ? r.loaderCpuMicrosPerRequest.toFixed(0) : '—',
      r ? String(r.failures) : '—',
    ];
  });
  const header = ['', 'target', 'req/s', 'p50 ms', 'p99 ms', 'RSS MB', 'CPU µs/req', 'main thread µs/req', 'Postgres µs/req', 'loader µs/req', 'errors'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column >= 2 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ');
  console.log('');
  console.log(`Bench: ${settings.connections} connections, warm-up ${settings.warmupSeconds} s, ${settings.rounds} × ${settings.durationSeconds} s per target (medians; rounds interleaved across targets), loopback.`);
  const loader = settings.loader === 'wrk' ? 'wrk, one thread' : 'autocannon, in this process';
  console.log(`Machine: ${cores.length} × ${cores[0]?.model ?? 'cpu'}; the load generator (${loader}) and the servers share these cores.`);
  console.log(`Node flags: ours ${productNodeFlags().join(' ') || '(none)'} (npm start's); (a) and (b) ${args['same-flags'] ? 'the same' : "Node's defaults"}.`);
  console.log('CPU µs/req: the server process; main thread µs/req: its JavaScript thread alone, which caps its requests/s (jose verifies RS256 on the thread pool beside it); Postgres µs/req: every Postgres process (an MCP call writes an audit row); loader µs/req: the load generator. All three share the cores.');
  console.log(`Load average: ${loadAtStart.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end (anything well above 0 means other work shared the cores).`);
  console.log('');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  const rps = (key: Target['key']) => targets.find((target) => target.key === key)?.result?.requestsPerSecond;
  const ratio = (top: Target['key'], bottom: Target['key']) => {
    const [x, y] = [rps(top), rps(bottom)];
    return x && y ? (x / y).toFixed(2) : 'n/a';
  };
  console.log('');
  console.log(`ratios: c/b = ${ratio('c', 'b')}   d/b = ${ratio('d', 'b')}   c/a = ${ratio('c', 'a')}   (goal: c/b ≥ 1.0, d/b ≥ 1.0)   [c0/b = ${ratio('c0', 'b')}, d1/b = ${ratio('d1', 'b')}, d0/b = ${ratio('d0', 'b')}, d/c = ${ratio('d', 'c')}]`);
  // Each round runs every target once, close together: the spread of the per-round ratios shows how
  // much a slow spell of the shared machine moves the headline ratios (the medians above).
  const roundsOf = (key: Target['key']) => targets.find((target) => target.key === key)?.result?.rounds;
  const perRound = (top: Target['key'], bottom: Target['key']) => {
    const [x, y] = [roundsOf(top), roundsOf(bottom)];
    return x && y ? x.map((round, index) => (round.requestsPerSecond / y[index]!.requestsPerSecond).toFixed(2)).join(' ') : 'n/a';
  };
  console.log(`per round: c/b = ${perRound('c', 'b')}   d/b = ${perRound('d', 'b')}`);
  for (const target of targets.filter((candidate) => candidate.note)) console.log(`(${target.key}) ${target.note}`);
  for (const target of targets.filter((candidate) => candidate.result && candidate.result.requests < 2 * settings.connections * settings.rounds)) {
    console.log(`(${target.key}) saturated: fewer than 2 answers per connection per round — the route is slower than the run is long`);
  }
}

async function saveResults(targets: Target[]): Promise<void> {
  const record = {
    at: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadAverage: { start: loadAtStart, end: loadavg()[0] },
    settings,
    targets: targets.map(({ key, label, note, result }) => ({ key, label, note, result })),
  };
  const stamp = record.at.replace(/[:.]/g, '-');
  await mkdir(resolve('bench/results'), { recursive: true });
  await writeFile(resolve(`bench/results/run-${stamp}.json`), `${JSON.stringify(record, null, 2)}\n`);
  if (args['save-baseline']) {
    await mkdir(resolve('bench/baselines'), { recursive: true });
    await writeFile(resolve(`bench/baselines/${record.at.slice(0, 10)}.json`), `${JSON.stringify(record, null, 2)}\n`);
  }
}

/** Runs the app under `--cpu-prof`, loads one target, and prints where the CPU went. */
async function profile(target: Target, productEnv: Record<string, string>, base: string): Promise<void> {
  const dir = resolve(`bench/results/profiles/${target.key}-${Date.now()}`);
  await mkdir(dir, { recursive: true });
  const app = await startProduct(PRODUCT, productEnv, `${base}/health/ready`, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  let loaded: LoadResult;
  try {
    loaded = await measure(target.request!, app.child.pid!, { ...settings, rounds: 1 });
  } finally {
    await app.stop();
  }
  const file = (await readdir(dir)).find((name) => name.endsWith('.cpuprofile'));
  if (!file) return void console.log(`(${target.key}) no profile written`);
  // Only code that does not call the rest of the request (middleware calling next() would count it all).
  const summary = await summarizeProfile(join(dir, file), [
    'passport', 'passport-jwt', 'jsonwebtoken', 'jwks-rsa', 'jose', 'typeorm', 'pg', 'pino', 'prom-client', 'ioredis', 'zod',
    '@modelcontextprotocol/server', '@modelcontextprotocol/node', '@hono/node-server', 'app:auth', 'app:common/rate-limit/rate-limiter.service',
  ], loaded.windowMicros);
  const busy = summary.totalMs - summary.idleMs;
  const perRequest = (ms: number) => `${((ms * 1000) / Math.max(1, loaded.requests)).toFixed(1).padStart(6)} µs/req`;
  const pct = (ms: number) => `${((100 * ms) / busy).toFixed(1).padStart(5)} % ${perRequest(ms)}`;
  console.log('');
  console.log(`CPU profile of (${target.key}) ${target.label}, steady state only: ${busy.toFixed(0)} ms busy of ${summary.totalMs.toFixed(0)} ms, ${Math.round(loaded.requestsPerSecond)} req/s (${join(dir, file)})`);
  console.log('  self time by package/file:');
  for (const [bucket, ms] of summary.byBucket.filter(([name]) => name !== '(idle)').slice(0, 14)) console.log(`    ${pct(ms)}  ${bucket}`);
  console.log('  inclusive (anywhere on the stack; leaf libraries only):');
  for (const [bucket, ms] of summary.inclusive.slice(0, 18)) console.log(`    ${pct(ms)}  ${bucket}`);
  console.log('  hottest functions (self):');
  for (const [name, ms] of summary.byFunction.filter(([label]) => !label.startsWith('(idle)')).slice(0, 15)) console.log(`    ${pct(ms)}  ${name}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
