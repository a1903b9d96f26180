import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';

export interface AppProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

const spawned = new Set<ChildProcess>();

/** Kills whatever spawnApp started and is still running (for afterAll/afterEach: a failed test must not leave the product running). */
export function killSpawnedApps(): void {
  for (const child of spawned) child.kill('SIGTERM');
  spawned.clear();
}

/** Runs the built product (`dist/main.js`, what `npm start` runs) as a child process. */
export function spawnApp(env: Record<string, string>): AppProcess {
  let output = '';
  const child = spawn(process.execPath, [resolve('dist/main.js')], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  spawned.add(child);
  void exited.then(() => spawned.delete(child));
  return { child, output: () => output, exited };
}

/** Polls a URL until it answers 200 or the deadline passes. */
export async function waitForOk(url: string, deadlineMs: number, app?: AppProcess): Promise<number> {
  const started = Date.now();
  let exitedEarly = false;
  void app?.exited.then(() => (exitedEarly = true));
  while (Date.now() - started < deadlineMs && !exitedEarly) {
    try {
      const response = await fetch(url);
      if (response.status === 200) return Date.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`${url} not ready after ${Date.now() - started} ms${app ? `:\n${app.output()}` : ''}`);
}
