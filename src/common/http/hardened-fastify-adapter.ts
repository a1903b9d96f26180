import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { requestIdFor } from '../logging/request-id.js';

export interface HttpServerSettings {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

/** A route as Fastify registered it, whoever registered it (a controller, Swagger, a plugin). */
export interface RegisteredRoute {
  method: string;
  url: string;
}

// How often Node sweeps connections for the header and request timeouts (its default, 30 s, would
// let a slow client overstay them by that much).
const CONNECTIONS_CHECK_MS = 1_000;

/**
 * Nest's Fastify adapter with what production needs from the HTTP server itself:
 * - slow-client limits (T78): Node's own server, built by `serverFactory`, so that the header
 *   section must arrive within `headersTimeoutMs` and the whole request within `requestTimeoutMs`
 *   (else 408 and the socket is closed), swept every second; idle keep-alive sockets close after
 *   `keepAliveTimeoutMs`. They bound the request only, never a response.
 * - a clean drain (T81): on close, the listener stops at once (new connections are refused), idle
 *   sockets are closed (Fastify's `forceCloseConnections: 'idle'`), and every response still to be
 *   written — in flight or arriving on a kept-alive socket — is served and carries
 *   `Connection: close` (`return503OnClosing: false`: a request already on its way is answered,
 *   not shed), so keep-alive clients cannot hold the process open past its grace.
 * - trust in `X-Forwarded-*` from loopback proxies only; a trailing slash matches the same route.
 * It also gives each request its id (the caller's X-Request-Id when well-formed, echoed back),
 * keeps the list of every route registered (the route audit's ground truth) and links Node's
 * request to Fastify's (see fastify-request.ts).
 */
export class HardenedFastifyAdapter extends FastifyAdapter {
  private draining = false;
  private readonly inFlight = new Set<ServerResponse>();
  private readonly routes: RegisteredRoute[] = [];

  constructor(settings: HttpServerSettings, options: { bodyLimit: number }) {
    const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = settings;
    super({
      serverFactory: (handler: (request: IncomingMessage, response: ServerResponse) => void) =>
        createServer(
          {
            headersTimeout: headersTimeoutMs,
            requestTimeout: requestTimeoutMs,
            keepAliveTimeout: keepAliveTimeoutMs,
            connectionsCheckingInterval: CONNECTIONS_CHECK_MS,
          },
          handler,
        ),
      // The request id the logs carry, answered in X-Request-Id (below).
      genReqId: requestIdFor,
      trustProxy: 'loopback',
      // As Express routed: `/path/` reaches the route of `/path`, and a path parameter has no
      // length limit of its own (find-my-way's default, 100, would answer 414 where our
      // validation answers 400 naming the field; Node's 16 KB header limit still bounds the URL).
      routerOptions: { ignoreTrailingSlash: true, maxParamLength: 16 * 1024 },
      bodyLimit: options.bodyLimit,
      return503OnClosing: false,
      forceCloseConnections: 'idle',
    });
    const fastify = this.getInstance();
    fastify.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) this.routes.push({ method, url: route.url });
    });
    fastify.addHook('onRequest', (request, reply, done) => {
      const response = reply.raw;
      response.setHeader('X-Request-Id', request.id);
      if (this.draining) {
        response.setHeader('Connection', 'close');
      } else {
        this.inFlight.add(response);
        response.once('close', () => this.inFlight.delete(response));
      }
      done();
    });
  }

  registeredRoutes(): readonly RegisteredRoute[] {
    return this.routes;
  }

  override async close(): Promise<void> {
    this.draining = true;
    for (const response of this.inFlight) {
      if (!response.headersSent) response.setHeader('Connection', 'close');
    }
    this.inFlight.clear();
    await super.close();
  }
}
