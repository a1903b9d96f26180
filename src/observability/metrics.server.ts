import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsService } from './metrics.service.js';

/**
 * `GET /metrics` on a listener of its own (METRICS_HOST:METRICS_PORT, 127.0.0.1 by default),
 * never on the API port: no tenant token can reach it (T35), and a scrape never queues behind
 * API traffic. Anything else on that port is 404.
 */
export class MetricsServer {
  private server?: Server;

  constructor(private readonly metrics: MetricsService) {}

  async listen(port: number, host: string): Promise<void> {
    const server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      if (request.method !== 'GET' || path !== '/metrics') {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      this.metrics.scrape().then(
        (body) => response.writeHead(200, { 'content-type': this.metrics.contentType }).end(body),
        () => response.writeHead(500, { 'content-type': 'text/plain' }).end('scrape failed\n'),
      );
    });
    server.headersTimeout = 10_000;
    server.requestTimeout = 15_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  /** Where it listens (tests ask for port 0). */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  }
}
