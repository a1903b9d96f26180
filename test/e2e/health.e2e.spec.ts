import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../helpers/http.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

describe('health and docs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('when the database answers, then /health/ready is 200 with the database up', async () => {
    const response = await fetch(`${t.baseUrl}/health/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
  });

  it('when asked, then /health/live is 200 and carries a request id', async () => {
    const response = await fetch(`${t.baseUrl}/health/live`, { headers: { 'x-request-id': 'abc-123' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('abc-123');
  });

  it('when a browser opens /docs, then Swagger UI is served, with helmet headers', async () => {
    const response = await fetch(`${t.baseUrl}/docs`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('swagger-ui');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('when /docs-json is fetched, then it is an OpenAPI 3 document listing the health routes', async () => {
    const document = await json(await fetch(`${t.baseUrl}/docs-json`));
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/health/live', '/health/ready']));
  });
});
