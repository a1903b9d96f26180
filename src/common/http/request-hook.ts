import { DiscoveryService } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * A check or an observer that every request meets once routed, before its body is read and before
 * the guards: the pre-authentication limits, the MCP transport's Origin/Host check, the REST-write
 * audit. A provider class implementing it, marked `@RequestHook()` and listed in its feature
 * module's `providers`, is installed as a Fastify `onRequest` hook at boot (`installRequestHooks`).
 *
 * - To refuse the request, throw (or reject with) an error: the exception filter answers it, as any
 *   error of a guard or handler.
 * - To answer it yourself (a body the filter does not write, e.g. JSON-RPC), `reply.send()` (or
 *   `reply.hijack()` and write Node's response) and return the reply: nothing else runs.
 * - Otherwise return nothing (or a promise of nothing): the request goes on.
 * `request.routeOptions.url` is the matched route template (undefined for a 404): decide by it,
 * not by the raw path, which a client may spell in forms the router folds.
 *
 * Why not Nest middleware: under the Fastify adapter each Nest middleware runs through
 * @fastify/middie and Nest's middleware proxy — a path match, URL sanitizing and a promise per
 * middleware per request. Our three cost ≈ 16 µs of a cached MCP tool call's ≈ 165 µs on the
 * server's thread (README "Benchmarks"); as hooks they cost what their bodies cost.
 */
export interface RequestHookHandler {
  onRequest(request: FastifyRequest, reply: FastifyReply): void | FastifyReply | Promise<void>;
}

export const RequestHook = DiscoveryService.createDecorator<void>();

/** Installs every `@RequestHook()` provider, in module order, as an `onRequest` hook of the app's Fastify instance. */
export function installRequestHooks(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const seen = new Set<unknown>();
  for (const wrapper of app.get(DiscoveryService, { strict: false }).getProviders({ metadataKey: RequestHook.KEY })) {
    const hook = wrapper.instance as RequestHookHandler | undefined;
    if (!hook || seen.has(wrapper.metatype)) continue;
    seen.add(wrapper.metatype);
    fastify.addHook('onRequest', (request, reply, done) => {
      let result: ReturnType<RequestHookHandler['onRequest']>;
      try {
        result = hook.onRequest(request, reply);
      } catch (error) {
        return done(error as Error);
      }
      if (result === reply) return;
      if (result) return void result.then(() => done(), done);
      done();
    });
  }
}
