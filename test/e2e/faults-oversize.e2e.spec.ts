import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthFixture, type AuthFixture } from '../helpers/auth-fixture.js';
import { json } from '../helpers/http.js';

const ROUTE = '/api/v1/crm/accounts';

/** POSTs raw bytes with chosen headers (chunked when no content-length), returning status and body. */
function post(base: string, headers: Record<string, string>, chunks: Buffer[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${base}${ROUTE}`, { method: 'POST', headers }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    const writeNext = (index: number): void => {
      if (index >= chunks.length) {
        request.end();
        return;
      }
      // Stop feeding once the server has answered (it need not read the rest).
      if (request.destroyed) return;
      request.write(chunks[index], () => writeNext(index + 1));
    };
    writeNext(0);
  });
}

describe('oversize bodies (T77)', () => {
  let f: AuthFixture;
  let token: string;
  beforeAll(async () => {
    f = await startAuthFixture();
    token = f.token({ claims: { scope: 'mcp:tools:crm:write' } });
  });
  afterAll(() => f.close());

  const auth = () => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

  it('when a JSON body declares more than 1 MB, then 413 payload_too_large', async () => {
    const body = JSON.stringify({ name: 'x'.repeat(1_200_000) });
    const response = await fetch(`${f.t.baseUrl}${ROUTE}`, { method: 'POST', headers: auth(), body });
    expect(response.status).toBe(413);
    expect(await json(response)).toMatchObject({ error: 'payload_too_large' });
  });

  it('when a chunked body without a length grows past 1 MB, then 413', async () => {
    const chunk = Buffer.from('x'.repeat(64 * 1024));
    const chunks = [Buffer.from('{"name":"'), ...Array.from({ length: 24 }, () => chunk), Buffer.from('"}')];
    const response = await post(f.t.baseUrl, auth(), chunks);
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'payload_too_large' });
  });

  it('when a small gzip body inflates past 1 MB, then 413 on the inflated size and memory stays flat', async () => {
    const bomb = gzipSync(Buffer.from(`{"name":"${'0'.repeat(64 * 1024 * 1024)}"}`));
    expect(bomb.length).toBeLessThan(200_000);
    const before = process.memoryUsage().rss;
    const response = await post(f.t.baseUrl, { ...auth(), 'content-encoding': 'gzip', 'content-length': String(bomb.length) }, [bomb]);
    expect(response.status).toBe(413);
    expect(process.memoryUsage().rss - before).toBeLessThan(50 * 1024 * 1024);
  });

  it('when a body within the limit arrives, then the route handles it normally', async () => {
    const response = await fetch(`${f.t.baseUrl}${ROUTE}`, { method: 'POST', headers: auth(), body: JSON.stringify({ name: 'Small Co' }) });
    expect(response.status).toBe(201);
  });
});
