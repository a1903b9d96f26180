import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { envSchema } from '../../src/config/env.schema.js';

// No Docker engine runs here, so the compose file and Dockerfile are checked by structure.
describe('docker-compose.yml and Dockerfile', () => {
  const compose = parse(readFileSync('docker-compose.yml', 'utf8'));
  const dockerfile = readFileSync('Dockerfile', 'utf8');
  const knownVariables = new Set(Object.keys(envSchema.shape));

  it('when read, then it has the app and a Postgres 16+ with healthchecks, the app waiting for a healthy database', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['app', 'postgres']);
    const postgresMajor = Number(/postgres:(\d+)/.exec(compose.services.postgres.image)?.[1]);
    expect(postgresMajor).toBeGreaterThanOrEqual(16);
    expect(compose.services.postgres.healthcheck.test.join(' ')).toContain('pg_isready');
    expect(compose.services.app.healthcheck.test.join(' ')).toContain('/health/ready');
    expect(compose.services.app.depends_on.postgres.condition).toBe('service_healthy');
  });

  it('when read, then the app publishes its PORT and every variable it sets is one the config knows', () => {
    const environment = compose.services.app.environment as Record<string, string>;
    for (const name of Object.keys(environment)) expect(knownVariables, name).toContain(name);
    expect(compose.services.app.ports).toContain(`${environment.PORT}:${environment.PORT}`);
    const url = new URL(environment.DATABASE_URL);
    expect(url.hostname).toBe('postgres');
    expect(url.username).toBe(compose.services.postgres.environment.POSTGRES_USER);
    expect(url.pathname).toBe(`/${compose.services.postgres.environment.POSTGRES_DB}`);
  });

  it('when read, then the Dockerfile is multi-stage and runs as a non-root user', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^USER (?!root)\w+/m);
    expect(dockerfile).toMatch(/npm ci/);
  });

  it('when read, then the image runs the app as `npm start` does, with the same Node flags', () => {
    const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start;
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? 'null') as string[] | null;
    expect(cmd).toEqual(start.split(' '));
    expect(cmd).toContain('--max-semi-space-size=64');
  });

  it('when the image drops devDependencies (npm prune --omit=dev), then every package the built app imports is still there', () => {
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    const { dependencies } = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
    // The build output, not the sources: type-only imports are gone from it, as at run time.
    const files = (readdirSync('dist', { recursive: true }) as string[]).filter(
      (file) => file.endsWith('.js') && !file.endsWith('.spec.js') && !file.startsWith('bench-build'),
    );
    expect(files.length).toBeGreaterThan(50);
    const imported = new Set<string>();
    for (const file of files) {
      const code = readFileSync(join('dist', file), 'utf8');
      const specifiers = [
        ...code.matchAll(/\bfrom\s*["']([^"'\s]+)["']/g), // import … from "x", export … from "x"
        ...code.matchAll(/^\s*import\s*["']([^"'\s]+)["']/gm), // import "x"
        ...code.matchAll(/\b(?:import|require)\s*\(\s*["']([^"'\s]+)["']\s*\)/g), // import("x"), require("x")
      ].map((match) => match[1]!);
      for (const specifier of specifiers.filter((candidate) => !/^[./]/.test(candidate))) {
        if (specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!)) continue;
        const parts = specifier.split('/');
        imported.add(specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
      }
    }
    expect(imported).toContain('@nestjs/platform-fastify');
    const missing = [...imported].filter((name) => !(name in dependencies)).sort();
    expect(missing, 'imported by dist/ but not in "dependencies"').toEqual([]);
  });
});
