import { createServer, type ServerResponse } from 'node:http';
import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

export interface HttpServerSettings {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

// How often Node sweeps connections for the two timeouts above (its default, 30 s, would let a
// slow client overstay them by that much).
const CONNECTIONS_CHECK_MS = 1_000;

/**
 * Nest's Express adapter with the two things production needs from the HTTP server itself:
 * - slow-client limits (T78): the header section must arrive within `headersTimeoutMs`, the
 *   whole request within `requestTimeoutMs` (else 408 and the socket is closed), idle keep-alive
 *   sockets close after `keepAliveTimeoutMs`. They bound the request only, never a response.
 * - a clean drain (T81): on close, the listener stops at once (new connections are refused) and
 *   every response still to be written — in flight or arriving on a kept-alive socket — carries
 *   `Connection: close`, so keep-alive clients cannot hold the process open past its grace.
 */
export class HardenedExpressAdapter extends ExpressAdapter {
  private draining = false;
  private readonly inFlight = new Set<ServerResponse>();

  constructor(private readonly settings: HttpServerSettings) {
    super();
    this.getInstance().use((_request: Request, response: Response, next: NextFunction) => {
      if (this.draining) {
        response.setHeader('Connection', 'close');
      } else {
        this.inFlight.add(response);
        response.once('close', () => this.inFlight.delete(response));
      }
      next();
    });
  }

  override initHttpServer(options: NestApplicationOptions): void {
    super.initHttpServer(options);
    if (options?.httpsOptions) return;
    const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = this.settings;
    const server = createServer(
      {
        headersTimeout: headersTimeoutMs,
        requestTimeout: requestTimeoutMs,
        keepAliveTimeout: keepAliveTimeoutMs,
        connectionsCheckingInterval: CONNECTIONS_CHECK_MS,
      },
      this.getInstance(),
    );
    this.setHttpServer(server);
    if (options?.forceCloseConnections) (this as unknown as { trackOpenConnections(): void }).trackOpenConnections();
  }

  override close(): Promise<unknown> | undefined {
    this.draining = true;
    for (const response of this.inFlight) {
      if (!response.headersSent) response.setHeader('Connection', 'close');
    }
    this.inFlight.clear();
    return super.close();
  }
}
