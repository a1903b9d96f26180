import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../helpers/test-app.js';

const run = promisify(execFile);
const cli = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, [resolve('dist/database/cli.js'), ...args], { env: { PATH: process.env.PATH ?? '', ...env } });

// The built CLI behind `npm run migration:*` (npm test builds dist/ first).
describe('migration CLI', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('when run against an up-to-date database, then it applies nothing and exits 0', async () => {
    const { stdout } = await cli(['run'], { DATABASE_URL: testDatabaseUrl() });
    expect(stdout).toContain('no pending migrations');
  });

  it('when asked to generate, then it writes a migration with up and down and says where to register it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
    dirs.push(dir);
    const { stdout } = await cli(['generate', 'AddAccountTiers', '--dir', dir]);
    const [file] = await readdir(dir);
    expect(file).toMatch(/^\d{13}-add-account-tiers\.ts$/);
    const source = await readFile(join(dir, file), 'utf8');
    expect(source).toMatch(/class AddAccountTiers\d{13} implements MigrationInterface/);
    expect(source).toContain('async down(');
    expect(stdout).toContain('src/database/migrations.ts');
  });

  it('when the name is not PascalCase or the command unknown, then it exits 2 with the usage', async () => {
    await expect(cli(['generate', 'bad name'])).rejects.toMatchObject({ code: 2 });
    await expect(cli(['explode'])).rejects.toMatchObject({ code: 2 });
  });
});
