import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { testDatabaseUrl } from './test-app.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** What `npm run tenant -- …` runs once it has built: the compiled CLI (npm test builds dist/ first), on the run's database. */
export function tenantCli(...args: string[]): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [resolve('dist/auth/tenants/tenant.cli.js'), ...args],
      { env: { PATH: process.env.PATH ?? '', DATABASE_URL: testDatabaseUrl(), LOG_LEVEL: 'warn' }, timeout: 30_000 },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
