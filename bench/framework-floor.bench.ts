import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TestIssuer } from '../test/helpers/test-issuer.js';
import { measure, type LoadResult, loadOptions, loadSettingsOf } from './lib/load.js';
import { startScript, type ServerProcess } from './lib/processes.js';

/**
 * `npm run bench:floor [-- --duration 5 --rounds 3]`: what the framework alone costs, in one run.
 * (b) Express 5 + jose (the issue-9 baseline), then a Nest app with one cached-bearer guard and one
 * route — no logging, helmet, rate limit or metrics — on the Express adapter and on the Fastify
 * adapter, all answering the same JSON. If Nest on Express cannot reach (b) even bare, no tuning
 * of our middleware will; the Fastify row says what changing the adapter would buy.
 */
const { values: args } = parseArgs({
  options: {
    ...loadOptions(),
  },
});
const settings = await loadSettingsOf(args);
const here = dirname(fileURLToPath(import.meta.url));
// About the size of the pipeline answer (c in `npm run bench`).
const BODY = JSON.stringify({ asOf: '2026-11-27', stages: Array.from({ length: 12 }, (_, i) => ({ stage: `s${i}`, deals: i * 7, amount: i * 1234.5, weighted: i * 321.25 })) });

const issuer = await new TestIssuer().start();
const audience = 'http://127.0.0.1:1';
const now = Math.floor(Date.now() / 1000);
const token = issuer.mint(audience, { claims: { org_id: 'acme', sub: 'bench', scope: 'mcp:tools:sales-data:read', iat: now, nbf: now, exp: now + 3000 } });
const headers = { authorization: `Bearer ${token}` };
const rows: { label: string; result: LoadResult }[] = [];
const servers: ServerProcess[] = [];
try {
  const targets: [string, () => Promise<ServerProcess>][] = [
    ['(b) Express 5 + jose', () => startScript(join(here, 'lib/express-jose-server.js'), { BENCH_BODY: BODY, BENCH_ISSUER: issuer.url, BENCH_AUDIENCE: audience, BENCH_JWKS_URI: issuer.jwksUri })],
    ['Nest 12 on Express, cached-bearer guard', () => startScript(join(here, 'lib/nest-floor-server.js'), { BENCH_BODY: BODY, BENCH_ADAPTER: 'express' })],
    ['Nest 12 on Fastify, cached-bearer guard', () => startScript(join(here, 'lib/nest-floor-server.js'), { BENCH_BODY: BODY, BENCH_ADAPTER: 'fastify' })],
  ];
  for (const [label, start] of targets) {
    const server = await start();
    servers.push(server);
    process.stderr.write(`measuring ${label}…\n`);
    rows.push({ label, result: await measure({ url: `${server.url}/api/v1/sales/pipeline`, headers }, server.child.pid!, settings) });
    await server.stop();
  }
} finally {
  for (const server of servers) await server.stop().catch(() => undefined);
  await issuer.stop();
}
const base = rows[0]!.result.requestsPerSecond;
console.log(`\nFramework floor: ${settings.connections} connections, ${settings.rounds} × ${settings.durationSeconds} s (medians), loopback, load generator on the same cores.\n`);
console.log(`${'target'.padEnd(42)} ${'req/s'.padStart(8)} ${'p99 ms'.padStart(7)} ${'CPU µs/req'.padStart(11)} ${'× (b)'.padStart(6)} errors`);
for (const { label, result } of rows) {
  console.log(
    `${label.padEnd(42)} ${Math.round(result.requestsPerSecond).toLocaleString('en-US').padStart(8)} ${result.p99Ms.toFixed(1).padStart(7)} ${result.cpuMicrosPerRequest.toFixed(0).padStart(11)} ${(result.requestsPerSecond / base).toFixed(2).padStart(6)} ${result.failures}`,
  );
}
process.exit(0);
