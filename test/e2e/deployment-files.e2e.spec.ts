import { readFileSync } from 'node:fs';
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
});
