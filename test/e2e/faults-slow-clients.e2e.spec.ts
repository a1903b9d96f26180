import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const HEADERS_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 4_000;
const KEEP_ALIVE_TIMEOUT_MS = 1_500;
// Node sweeps for expired requests once a second; a loaded CI machine adds its own delay.
const SLACK_MS = 6_000;

interface Ending {
  afterMs: number;
  received: string;
}

/** Opens a raw connection, feeds it `first` then one byte of `drip` every `everyMs`, and reports when the server ends it. */
function slowClient(port: number, first: string, drip: string, everyMs: number): Promise<Ending> & { socket: Socket } {
  const socket = connect(port, '127.0.0.1');
  const startedAt = Date.now();
  let received = '';
  let timer: NodeJS.Timeout | undefined;
  const ended = new Promise<Ending>((resolve) => {
    socket.on('connect', () => {
      socket.write(first);
      let index = 0;
      timer = setInterval(() => {
        if (!socket.writable) return;
        socket.write(drip[index++ % drip.length]!);
      }, everyMs);
    });
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ afterMs: Date.now() - startedAt, received });
    });
    // Bounded: never wait more than 30 s.
    setTimeout(() => socket.destroy(), 30_000).unref();
  });
  return Object.assign(ended, { socket });
}

describe('slow clients (T78)', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp({
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HTTP_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
    });
    port = Number(new URL(t.baseUrl).port);
  });
  afterAll(() => t.close());

  it('when a client sends its headers a byte at a time, then it gets 408 and is cut off at the headers timeout', async () => {
    const ending = await slowClient(port, 'GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-Slow: aaaaaaaaaaaaaaaa', 250);
    expect(ending.afterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 100);
    expect(ending.afterMs).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
    expect(ending.received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('when a client sends its body a byte at a time, then it gets 408 and is cut off at the request timeout', async () => {
    const head = 'POST /api/v1/crm/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":"';
    const ending = await slowClient(port, head, 'x', 250);
    expect(ending.afterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
    expect(ending.afterMs).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
    expect(ending.received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('when a kept-alive connection idles, then the server closes it after the keep-alive timeout', async () => {
    const ending = await slowClient(port, 'GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n', '', 60_000);
    expect(ending.received).toMatch(/^HTTP\/1\.1 200 /);
    expect(ending.afterMs).toBeGreaterThanOrEqual(KEEP_ALIVE_TIMEOUT_MS - 100);
    expect(ending.afterMs).toBeLessThan(KEEP_ALIVE_TIMEOUT_MS + SLACK_MS);
  });

  it('when many slow clients hold connections, then ordinary requests are still served promptly', async () => {
    const slow = Array.from({ length: 50 }, () => slowClient(port, 'GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-Slow: a', 200));
    await new Promise((done) => setTimeout(done, 500));
    for (let index = 0; index < 5; index++) {
      const startedAt = Date.now();
      const response = await fetch(`${t.baseUrl}/health/live`);
      expect(response.status).toBe(200);
      expect(Date.now() - startedAt).toBeLessThan(2_000);
    }
    const endings = await Promise.all(slow);
    expect(endings.every((ending) => ending.afterMs < HEADERS_TIMEOUT_MS + SLACK_MS)).toBe(true);
  });
});
