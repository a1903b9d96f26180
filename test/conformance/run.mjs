#!/usr/bin/env node
// Runs the official MCP conformance suite (@modelcontextprotocol/conformance 0.1.16) against the
// built product (dist/main.js) with its conformance fixtures on (MCP_CONFORMANCE_FIXTURES=1).
//
//   node test/conformance/run.mjs            (builds dist/ first; SKIP_BUILD=1 to skip)
//
// The suite cannot send a bearer token, so it talks to a loopback proxy that adds one (minted by a
// throw-away issuer this script serves on 127.0.0.1, which the app trusts for the run) and passes
// everything else through unchanged — Host and Origin included, so the DNS-rebinding scenario
// reaches the app's own checks. The suite needs Node 22; it runs under `npx -p node@22`, never as a
// project dependency. Database: CONFORMANCE_DATABASE_URL or TEST_DATABASE_URL, else an embedded
// Postgres in a temporary directory. Exit status: the suite's (0 = only baselined failures).
import { spawn } from 'node:child_process';
import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BASELINE = join(ROOT, 'test/conformance/expected-failures.yml');
const SUITE = '@modelcontextprotocol/conformance@0.1.16';
// The fixtures' scope (src/mcp/conformance/conformance.fixtures.ts).
const SCOPE = 'mcp:tools:sales-data:read';

const children = [];
const servers = [];
let dataDir;

function listen(server) {
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server.address().port)));
}

async function freePort() {
  const probe = createServer();
  const port = await listen(probe);
  await new Promise((done) => probe.close(done));
  return port;
}

/** A minimal issuer: discovery metadata and a JWKS with one RSA key, and a token minter. */
async function startIssuer() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'conformance', alg: 'RS256', use: 'sig' };
  let url = '';
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    res.setHeader('content-type', 'application/json');
    if (path === '/jwks.json') return res.end(JSON.stringify({ keys: [jwk] }));
    if (path.startsWith('/.well-known/')) return res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/jwks.json` }));
    res.statusCode = 404;
    res.end('{}');
  });
  servers.push(server);
  url = `http://127.0.0.1:${await listen(server)}`;
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const mint = (audience, tenant) => {
    const now = Math.floor(Date.now() / 1000);
    const input = `${b64({ alg: 'RS256', typ: 'at+jwt', kid: 'conformance' })}.${b64({
      iss: url, aud: audience, sub: 'conformance-suite', client_id: 'conformance', org_id: tenant, scope: SCOPE,
      iat: now, nbf: now, exp: now + 3000, jti: randomUUID(),
    })}`;
    return `${input}.${createSign('SHA256').update(input).sign(privateKey).toString('base64url')}`;
  };
  return { url, mint };
}

function run(command, args, options = {}) {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...options });
  children.push(child);
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((done) => child.on('exit', (code) => done(code)));
  return { child, output: () => output, exited };
}

async function startApp(issuerUrl, proxyPort) {
  const port = await freePort();
  const databaseUrl = process.env.CONFORMANCE_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!databaseUrl) dataDir = mkdtempSync(join(tmpdir(), 'mcp-conformance-'));
  const env = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://localhost:${port}`,
    AUTH_ISSUER: issuerUrl,
    AUTH_JWKS_URI: `${issuerUrl}/jwks.json`,
    TENANT_AUTO_PROVISION: 'true',
    DEMO_DATA: 'false',
    MCP_CONFORMANCE_FIXTURES: '1',
    MCP_ALLOWED_ORIGINS: `http://localhost:${proxyPort}`,
    RATE_LIMIT_ENABLED: 'false',
    LOG_LEVEL: 'warn',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATA_DIR: dataDir }),
  };
  const app = run(process.execPath, ['dist/main.js'], { env });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (app.child.exitCode !== null) throw new Error(`the app exited during start-up:\n${app.output()}`);
    const status = await fetch(`http://127.0.0.1:${port}/health/live`).then((response) => response.status, () => 0);
    if (status === 200) return { port, app };
    await new Promise((done) => setTimeout(done, 300));
  }
  throw new Error(`the app was not ready within 90 s (exit ${app.child.exitCode}):\n${app.output()}`);
}

/** Forwards to the app, adding the bearer token; streams both ways (SSE answers included). */
async function startProxy(proxyPort, appPort, token) {
  const server = createServer((req, res) => {
    const upstream = request(
      { host: '127.0.0.1', port: appPort, path: req.url, method: req.method, headers: { ...req.headers, authorization: `Bearer ${token}` } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  servers.push(server);
  await new Promise((done) => server.listen(proxyPort, '127.0.0.1', done));
}

function stripAnsi(text) {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

async function main() {
  const started = Date.now();
  if (process.env.SKIP_BUILD !== '1') {
    const build = run('npm', ['run', 'build', '--silent']);
    if ((await build.exited) !== 0) throw new Error(`npm run build failed:\n${build.output()}`);
  }
  const issuer = await startIssuer();
  const proxyPort = await freePort();
  const { port: appPort } = await startApp(issuer.url, proxyPort);
  const token = issuer.mint(`http://localhost:${appPort}`, `conformance-${randomUUID().slice(0, 8)}`);
  await startProxy(proxyPort, appPort, token);

  // CONFORMANCE_SCENARIO=<name> runs one scenario with its per-check lines (for diagnosis).
  const scenario = process.env.CONFORMANCE_SCENARIO;
  const selection = scenario ? `--scenario ${scenario}` : `--expected-failures ${BASELINE}`;
  const suite = run('npx', ['-y', '-p', 'node@22', '-p', SUITE, '-c', `conformance server --url http://localhost:${proxyPort}/mcp ${selection}`], {
    env: { ...process.env, NO_COLOR: '1' },
  });
  const code = await suite.exited;
  const output = stripAnsi(suite.output());
  if (scenario) {
    console.log(output);
    return code ?? 1;
  }
  const lines = output.split('\n');
  const summary = lines.slice(lines.findIndex((line) => line.startsWith('=== SUMMARY')) + 1).filter((line) => line.trim() !== '');
  // The suite's own "Total: N passed, M failed" would read as this project's test count in CI logs.
  for (const line of summary) if (!line.startsWith('Total:')) console.log(line);
  const checks = /Total: (\d+) passed, (\d+) failed/.exec(output);
  const expected = lines.filter((line) => /^\s+~ /.test(line)).length;
  const unexpected = lines.filter((line) => /^\s+✗ /.test(line) && lines.indexOf(line) > lines.findIndex((l) => l.startsWith('Unexpected failures'))).length;
  if (!checks) console.log(output.slice(-3000));
  const verdict = code === 0 ? 'OK' : 'FAILED';
  console.log(
    `MCP conformance (${SUITE}, ${((Date.now() - started) / 1000).toFixed(0)} s): ${checks?.[1] ?? '?'} checks passed; ` +
      `${expected} scenarios failing as baselined, ${code === 0 ? 0 : Math.max(unexpected, 1)} unexpected — ${verdict}`,
  );
  return code ?? 1;
}

function cleanup() {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  for (const server of servers) server.close();
  if (dataDir) setTimeout(() => rmSync(dataDir, { recursive: true, force: true }), 2000).unref();
}

main()
  .then((code) => {
    cleanup();
    setTimeout(() => process.exit(code), 2500);
  })
  .catch((error) => {
    console.error(`MCP conformance: could not run — ${error.message}`);
    cleanup();
    setTimeout(() => process.exit(1), 2500);
  });
