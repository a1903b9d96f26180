import { mkdir, readdir } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY, PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/server';
import { findFreePort } from '../src/database/embedded-postgres.js';
import { TestIssuer } from '../test/helpers/test-issuer.js';
import { ensureAccounts, openBenchDatabase } from './lib/bench-db.js';
import { type LoadRequest, type LoadResult, measure, loadOptions, loadSettingsOf } from './lib/load.js';
import { benchProductEnv, startProduct, startScript, type ServerProcess } from './lib/processes.js';
import { summarizeProfile } from './lib/profile.js';

/**
 * `npm run bench:mcp [-- --duration 5 --rounds 3 --warmup 2 --connections 20 --profile --only A,B,C,D,E,F]`
 *
 * MCP `tools/call` throughput and latency, in one run on 127.0.0.1, each server in its own process:
 *  (A) bare node:http + the same SDK, a fresh McpServer per request, SSE (the SDK's stateless idiom);
 *  (B) the same with reused McpServers and JSON answers (our gateway's two savings, nothing else);
 *  (C) ours, authenticated (passport-jwt, tenant, per-message scope check, audit row, pooled
 *      server): `test_simple_text`, a read tool that does no I/O, 2025-11-25;
 *  (D) the same tool over 2026-07-28 (the SDK's createMcpHandler, a fresh server per request);
 *  (E) ours, `crm_get_account`: one row by primary key from Postgres under RLS;
 *  (F) ours, the REST twin of (E), `GET /api/v1/crm/accounts/:id`: E − F is what MCP adds.
 * Our app is the built product (dist/main.js) with the conformance fixtures on (that is where
 * `test_simple_text` comes from), rate limits out of reach, logs at warn. `--profile` re-runs (C)
 * under --cpu-prof and prints where the CPU went. Compare ratios within one run (PERF-NOTES.md).
 */
const { values: args } = parseArgs({
  options: {
    ...loadOptions(20),
    profile: { type: 'boolean', default: false },
    // e.g. `--only C,F` to measure some rows alone.
    only: { type: 'string', default: 'A,B,C,D,E,F' },
  },
});
const only = new Set(args.only!.split(',').map((key) => key.trim().toUpperCase()));
const settings = await loadSettingsOf(args);

const here = dirname(fileURLToPath(import.meta.url));
const PRODUCT = resolve('dist/main.js');
const TENANT = 'bench-mcp';
const SCOPES = 'mcp:tools:sales-data:read mcp:tools:crm:read';
const LEGACY = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' };

interface Row {
  key: string;
  label: string;
  request?: LoadRequest;
  server?: ServerProcess;
  note?: string;
  result?: LoadResult;
}

const toolCall = (name: string, args: Record<string, unknown>, meta?: Record<string, unknown>) =>
  JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args, ...(meta ? { _meta: meta } : {}) } });

function modern(name: string, args: Record<string, unknown>): { headers: Record<string, string>; body: string } {
  const meta = { [PROTOCOL_VERSION_META_KEY]: '2026-07-28', [CLIENT_INFO_META_KEY]: { name: 'bench', version: '1' }, [CLIENT_CAPABILITIES_META_KEY]: {} };
  return { headers: { ...LEGACY, 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': name }, body: toolCall(name, args, meta) };
}

/** One call first: a target that does not answer a successful result is reported, not measured. */
async function probe(row: Row): Promise<Row> {
  const request = row.request!;
  const response = await fetch(request.url, { method: request.method ?? 'GET', headers: request.headers, body: request.body });
  const text = await response.text();
  const ok = response.status === 200 && (request.method === 'GET' || (text.includes('"result"') && !text.includes('"isError":true')));
  return ok ? row : { ...row, request: undefined, note: `not measured: ${response.status} ${text.slice(0, 200)}` };
}

async function main(): Promise<void> {
  const issuer = await new TestIssuer().start();
  const database = await openBenchDatabase(TENANT);
  await ensureAccounts(database.url, TENANT, 50);
  const port = await findFreePort();
  const base = `http://127.0.0.1:${port}`;
  const productEnv = benchProductEnv(port, database.url, issuer.url, { DEMO_DATA: 'false', MCP_CONFORMANCE_FIXTURES: '1' });
  const now = Math.floor(Date.now() / 1000);
  // One token reused for every call, as an agent does.
  const token = issuer.mint(base, { claims: { org_id: TENANT, sub: 'bench-agent', client_id: 'bench-client', scope: SCOPES, iat: now, nbf: now, exp: now + 3000 } });
  const auth = { authorization: `Bearer ${token}` };
  const rows: Row[] = [];
  const servers: ServerProcess[] = [];
  let app: ServerProcess | undefined;
  try {
    app = await startProduct(PRODUCT, productEnv, `${base}/health/ready`);
    const fresh = await startScript(join(here, 'mcp-bare-server.js'), { BENCH_MCP_MODE: 'fresh' });
    const pooled = await startScript(join(here, 'mcp-bare-server.js'), { BENCH_MCP_MODE: 'pool' });
    servers.push(fresh, pooled);
    const accounts = (await (await fetch(`${base}/api/v1/crm/accounts?limit=1`, { headers: auth })).json()) as { data?: { id: string }[] };
    const simple = toolCall('test_simple_text', {});
    const candidates: Row[] = [
      { key: 'A', label: 'bare node:http + SDK, fresh server/request', request: { url: `${fresh.url}/mcp`, method: 'POST', headers: LEGACY, body: simple }, server: fresh },
      { key: 'B', label: 'bare node:http + SDK, pooled servers, JSON', request: { url: `${pooled.url}/mcp`, method: 'POST', headers: LEGACY, body: simple }, server: pooled },
      { key: 'C', label: 'ours, authenticated, test_simple_text (2025-11-25)', request: { url: `${base}/mcp`, method: 'POST', headers: { ...LEGACY, ...auth }, body: simple }, server: app },
      { key: 'D', label: 'ours, authenticated, test_simple_text (2026-07-28)', request: { url: `${base}/mcp`, method: 'POST', ...withAuth(modern('test_simple_text', {}), auth) }, server: app },
      {
        key: 'E',
        label: 'ours, authenticated, crm_get_account (Postgres)',
        request: { url: `${base}/mcp`, method: 'POST', headers: { ...LEGACY, ...auth }, body: toolCall('crm_get_account', { accountId: accounts.data?.[0]?.id }) },
        server: app,
      },
      // The same read without MCP: what our REST stack (auth, Nest, middleware, Postgres) costs on its own.
      { key: 'F', label: 'ours, authenticated, REST GET /api/v1/crm/accounts/:id', request: { url: `${base}/api/v1/crm/accounts/${accounts.data?.[0]?.id}`, method: 'GET', headers: auth }, server: app },
    ];
    for (const candidate of candidates.filter((row) => only.has(row.key))) rows.push(await probe(candidate));
    for (const row of rows.filter((candidate) => candidate.request)) {
      process.stderr.write(`measuring (${row.key}) ${row.label}…\n`);
      row.result = await measure(row.request!, row.server!.child.pid!, settings);
    }
  } finally {
    for (const server of servers) await server.stop();
    await app?.stop();
  }
  printTable(rows);
  const simpleOurs = rows.find((row) => row.key === 'C');
  if (args.profile && simpleOurs?.request) await profile(simpleOurs, productEnv, base);
  await issuer.stop();
  await database.close();
}

function withAuth(request: { headers: Record<string, string>; body: string }, auth: Record<string, string>) {
  return { headers: { ...request.headers, ...auth }, body: request.body };
}

function printTable(rows: Row[]): void {
  const table = rows.map((row) => {
    const r = row.result;
    const cell = (value: number | undefined, digits = 1) => (value === undefined ? '—' : value.toFixed(digits));
    return [`(${row.key})`, row.label, r ? Math.round(r.requestsPerSecond).toString() : '—', cell(r?.p50Ms), cell(r?.p99Ms), cell(r?.cpuMicrosPerRequest, 0), cell(r?.rssMb, 0), r ? String(r.failures) : '—'];
  });
  const header = ['', 'server / tool', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'RSS MB', 'errors'];
  const widths = header.map((title, column) => Math.max(title.length, ...table.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column >= 2 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ');
  const cores = cpus();
  console.log('');
  console.log(`MCP tools/call bench: ${settings.connections} connections, warm-up ${settings.warmupSeconds} s, ${settings.rounds} × ${settings.durationSeconds} s (medians), loopback.`);
  console.log(`Machine: ${cores.length} × ${cores[0]?.model ?? 'cpu'}; autocannon (this process) and the servers share these cores.`);
  console.log('');
  console.log(line(header));
  for (const row of table) console.log(line(row));
  const rps = (key: string) => rows.find((row) => row.key === key)?.result?.requestsPerSecond;
  const ratio = (top: string, bottom: string) => (rps(top) && rps(bottom) ? (rps(top)! / rps(bottom)!).toFixed(2) : 'n/a');
  console.log('');
  console.log(`ratios (req/s): C/A = ${ratio('C', 'A')}   C/B = ${ratio('C', 'B')}   D/A = ${ratio('D', 'A')}   E/A = ${ratio('E', 'A')}   B/A = ${ratio('B', 'A')}   E/F = ${ratio('E', 'F')}`);
  const cpu = (key: string) => rows.find((row) => row.key === key)?.result?.cpuMicrosPerRequest;
  if (cpu('E') && cpu('F') && cpu('B')) {
    console.log(
      `CPU per call: REST stack alone (F) ${cpu('F')!.toFixed(0)} µs; MCP on top (E − F) ${(cpu('E')! - cpu('F')!).toFixed(0)} µs, ` +
        `of which the SDK itself (B) ~${cpu('B')!.toFixed(0)} µs.`,
    );
  }
  for (const row of rows.filter((candidate) => candidate.note)) console.log(`(${row.key}) ${row.note}`);
}

/** Runs the app under `--cpu-prof`, loads (C), and prints where the CPU went per request. */
async function profile(row: Row, productEnv: Record<string, string>, base: string): Promise<void> {
  const dir = resolve(`bench/results/profiles/mcp-${Date.now()}`);
  await mkdir(dir, { recursive: true });
  const app = await startProduct(PRODUCT, productEnv, `${base}/health/ready`, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  let loaded: LoadResult;
  try {
    loaded = await measure(row.request!, app.child.pid!, { ...settings, rounds: 1 });
  } finally {
    await app.stop();
  }
  const file = (await readdir(dir)).find((name) => name.endsWith('.cpuprofile'));
  if (!file) return void console.log('no profile written');
  const summary = await summarizeProfile(
    join(dir, file),
    [
      'passport-jwt', 'jsonwebtoken', '@nestjs/core', 'fastify', 'find-my-way', '@fastify/middie', 'pino-http', 'prom-client',
      'zod', '@modelcontextprotocol/server', '@modelcontextprotocol/node', '@hono/node-server', 'app:mcp', 'app:audit', 'app:auth',
    ],
    loaded.windowMicros,
  );
  const busy = summary.totalMs - summary.idleMs;
  const share = (ms: number) => `${((100 * ms) / busy).toFixed(1).padStart(5)} %  ${((ms * 1000) / Math.max(1, loaded.requests)).toFixed(0).padStart(4)} µs/req`;
  console.log('');
  console.log(`CPU profile of (C), steady state: ${Math.round(loaded.requestsPerSecond)} req/s, ${busy.toFixed(0)} ms busy (${join(dir, file)})`);
  console.log('  inclusive (anywhere on the stack):');
  for (const [name, ms] of summary.inclusive.slice(0, 16)) console.log(`    ${share(ms)}  ${name}`);
  console.log('  self time by package/file:');
  for (const [name, ms] of summary.byBucket.filter(([bucket]) => bucket !== '(idle)').slice(0, 14)) console.log(`    ${share(ms)}  ${name}`);
  console.log('  hottest functions (self):');
  for (const [name, ms] of summary.byFunction.filter(([label]) => !label.startsWith('(idle)')).slice(0, 25)) console.log(`    ${share(ms)}  ${name}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
