import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../src/database/embedded-postgres.js';
import { type AppProcess, spawnApp, waitForOk } from '../helpers/app-process.js';
import { testDatabaseUrl } from '../helpers/test-app.js';

const run = promisify(execFile);
const TOKEN_CLI = 'node dist/authorization-server/token.cli.js';

// The built product as `npm start` runs it, with no auth variables on a fresh DATA_DIR: the banner
// must print credentials that work as pasted, and `npm run token` must print a usable token.
describe('npm start with the embedded authorization server: banner and token command', () => {
  let dataDir: string;
  let port: number;
  let app: AppProcess;
  let banner: string[];
  const env = () => ({ PATH: process.env.PATH ?? '', PORT: String(port), DATA_DIR: dataDir });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sales-banner-'));
    await chmod(dataDir, 0o755);
    port = await findFreePort();
    app = spawnApp({ PORT: String(port), DATA_DIR: dataDir, DATABASE_URL: testDatabaseUrl() });
    await waitForOk(`http://127.0.0.1:${port}/health/ready`, 30_000, app);
    banner = app.output().split('\n');
  }, 60_000);
  afterAll(async () => {
    app.child.kill('SIGTERM');
    await app.exited;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('when it starts, then the banner names the issuer, the three demo clients with their tenants, and a generated secret', () => {
    expect(banner).toContain(`  Authorization server:   http://localhost:${port}/oauth (embedded, for local use: set AUTH_ISSUER in production)`);
    expect(banner.some((line) => /^ {4}acme-analyst +tenant acme /.test(line))).toBe(true);
    expect(banner.some((line) => /^ {4}acme-ops +tenant acme /.test(line))).toBe(true);
    expect(banner.some((line) => /^ {4}globex-analyst +tenant globex /.test(line))).toBe(true);
    expect(banner.find((line) => line.includes('Demo clients'))).toMatch(/secret [A-Za-z0-9_-]{32}, kept in /);
  });

  it("when the banner's curl lines are pasted into a shell, then the first prints a token and the second a 200 answer", async () => {
    const [tokenLine, callLine] = banner.filter((line) => line.startsWith('    curl '));
    const token = JSON.parse((await run('bash', ['-c', tokenLine], { env: env() })).stdout);
    expect(token).toMatchObject({ token_type: 'Bearer', scope: expect.stringContaining('mcp:tools:sales-data:read') });
    // `npm run --silent token --` builds first, then runs exactly this.
    const call = callLine.replace('npm run --silent token --', TOKEN_CLI).replace("curl -s ", "curl -s -w '\\n%{http_code}' ");
    const { stdout } = await run('bash', ['-c', call], { env: env(), cwd: process.cwd() });
    expect(stdout.trim().split('\n').at(-1)).toBe('200');
  });

  it('when the token command asks for a parent scope, then it prints just a token carrying it; for an unknown client, usage and exit 2', async () => {
    const { stdout } = await run('bash', ['-c', `${TOKEN_CLI} --client acme-analyst --scope mcp:tools:sales-data`], { env: env() });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const claims = JSON.parse(Buffer.from(lines[0].split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ scope: 'mcp:tools:sales-data', org_id: 'acme', client_id: 'acme-analyst' });
    const failure = await run('bash', ['-c', `${TOKEN_CLI} --client nobody`], { env: env() }).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 2, stderr: expect.stringContaining('usage: npm run --silent token -- --client') });
  });
});
