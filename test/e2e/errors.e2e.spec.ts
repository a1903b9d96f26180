import 'reflect-metadata';
import { Controller, Get, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configureHttp, listeningUrl } from '../../src/app.factory.js';
import { ConflictError, NotFoundError } from '../../src/common/errors/domain-error.js';
import { json } from '../helpers/http.js';
import { ZodBody } from '../../src/common/validation/zod-validation.js';

const itemSchema = z.strictObject({ name: z.string().min(1), amount: z.number().nonnegative() });

@Controller('probe')
class ProbeController {
  @Get('not-found')
  notFound(): never {
    throw new NotFoundError('Account');
  }
  @Get('conflict')
  conflict(): never {
    throw new ConflictError('Stale version', { currentVersion: 3 });
  }
  @Get('boom')
  boom(): never {
    throw new Error('SELECT secret_column FROM internal_table failed');
  }
  @Get('db-down')
  dbDown(): never {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  }
  @Post('items')
  create(@ZodBody(itemSchema) body: z.infer<typeof itemSchema>) {
    return body;
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

// The filter and body parser exactly as createApp wires them, on a probe module that throws each kind of error.
describe('error contract', () => {
  let app: NestFastifyApplication;
  let base: string;
  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(ProbeModule, new FastifyAdapter(), { logger: false, bodyParser: false });
    configureHttp(app);
    await app.listen(0, '127.0.0.1');
    base = listeningUrl(app);
  });
  afterAll(() => app.close());

  it('when a record is unknown, then 404 not_found', async () => {
    const response = await fetch(`${base}/probe/not-found`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not_found', message: 'Account not found' });
  });

  it('when a version is stale, then 409 conflict with details', async () => {
    const response = await fetch(`${base}/probe/conflict`);
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ error: 'conflict', message: 'Stale version', currentVersion: 3 });
  });

  it('when an unknown error happens, then 500 with an errorId and no internals', async () => {
    const response = await fetch(`${base}/probe/boom`);
    expect(response.status).toBe(500);
    const body = await json(response);
    expect(body).toMatchObject({ error: 'internal_error' });
    expect(body.errorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(body)).not.toMatch(/secret_column|at |\.ts/);
  });

  it('when the database refuses connections, then 503 with Retry-After', async () => {
    const response = await fetch(`${base}/probe/db-down`);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toMatchObject({ error: 'unavailable' });
  });

  it('when the body fails validation, then 400 naming each field, unknown fields included', async () => {
    const response = await fetch(`${base}/probe/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: '', amount: -1, tenantId: 'other' }),
    });
    expect(response.status).toBe(400);
    const body = await json(response);
    expect(body.error).toBe('validation_error');
    expect(body.issues.map((issue: { path: string }) => issue.path).sort()).toEqual(['body.amount', 'body.name', 'body.tenantId']);
  });

  it('when the JSON is malformed, then 400 validation_error', async () => {
    const response = await fetch(`${base}/probe/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'validation_error', issues: [{ path: 'body' }] });
  });

  it('when the body exceeds 1 MB, then 413 payload_too_large', async () => {
    const response = await fetch(`${base}/probe/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(1_100_000), amount: 1 }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: 'payload_too_large' });
  });

  it('when a route does not exist, then 404 in the same shape', async () => {
    const response = await fetch(`${base}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not_found' });
  });
});
