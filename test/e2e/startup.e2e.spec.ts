import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../src/database/embedded-postgres.js';
import { killSpawnedApps, spawnApp, waitForOk } from '../helpers/app-process.js';
import { testDatabaseUrl } from '../helpers/test-app.js';

function postgresProcessesFor(dir: string): string {
  try {
    return execFileSync('pgrep', ['-af', `postgres.*${dir}`], { encoding: 'utf8' }).trim();
  } catch {
    return ''; // pgrep exits 1 when nothing matches
  }
}

// These run the built product exactly as `npm start` does (npm test builds it first).
describe('start-up and shutdown of the product process', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    killSpawnedApps();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('when PORT is invalid, then start-up fails with one line naming PORT', async () => {
    const app = spawnApp({ PORT: 'eighty', DATABASE_URL: testDatabaseUrl() });
    expect(await app.exited).toBe(1);
    expect(app.output().trim().split('\n')).toEqual([expect.stringMatching(/^Invalid configuration: PORT .*"eighty"/)]);
  });

  it('when DATABASE_URL is not a postgres URL, then start-up fails with one line naming it', async () => {
    const app = spawnApp({ DATABASE_URL: 'http://example.invalid/db' });
    expect(await app.exited).toBe(1);
    expect(app.output().trim().split('\n')).toEqual(['Invalid configuration: DATABASE_URL must be a postgres:// URL']);
  });

  it('when DATABASE_URL points at a server, then it serves /health/ready and exits 0 on SIGTERM', async () => {
    const port = await findFreePort();
    const app = spawnApp({ PORT: String(port), DATABASE_URL: testDatabaseUrl() });
    await waitForOk(`http://127.0.0.1:${port}/health/ready`, 60_000, app);
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
  });

  it('when nothing is configured, then an embedded Postgres starts under DATA_DIR, is reused, and is stopped on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sales-start-'));
    await chmod(dataDir, 0o755);
    dirs.push(dataDir);
    for (const round of ['cold', 'warm']) {
      const port = await findFreePort();
      const app = spawnApp({ PORT: String(port), DATA_DIR: dataDir });
      // Generous here: this spec shares two cores with the rest of the suite. The 30 s promise of
      // the README is checked by .ci/run's smoke test, which runs `npm start` on an idle machine.
      const readyMs = await waitForOk(`http://127.0.0.1:${port}/health/ready`, 90_000, app);
      expect(readyMs, `${round} start`).toBeLessThan(90_000);
      expect(postgresProcessesFor(dataDir)).not.toBe('');
      app.child.kill('SIGTERM');
      expect(await app.exited).toBe(0);
      expect(postgresProcessesFor(dataDir)).toBe('');
    }
  }, 200_000);
});
