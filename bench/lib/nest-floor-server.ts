import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { type CanActivate, Controller, type ExecutionContext, Get, Injectable, Module, UnauthorizedException } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';

/**
 * The floor of a Nest app on either HTTP adapter (BENCH_ADAPTER=express|fastify): one global guard
 * that accepts a bearer token found in a verified-token cache (sha256 key, as ours does on a hit),
 * one route answering the same JSON object. No logging, helmet, rate limit or metrics: what the
 * framework itself costs. Prints `{"url"}` once listening.
 */
const body = JSON.parse(process.env.BENCH_BODY ?? '{"ok":true}') as object;
const verified = new Set<string>();

@Injectable()
class CachedBearerGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    const key = createHash('sha256').update(token).digest('base64url');
    // The first sight of a token stands in for its verification (measured separately: jose, passport).
    if (!verified.has(key)) {
      if (!token) throw new UnauthorizedException();
      verified.add(key);
    }
    return true;
  }
}

@Controller()
class FloorController {
  @Get('api/v1/sales/pipeline')
  answer(): object {
    return body;
  }
}

@Module({ controllers: [FloorController], providers: [{ provide: APP_GUARD, useClass: CachedBearerGuard }] })
class FloorModule {}

const adapter = process.env.BENCH_ADAPTER === 'fastify' ? new FastifyAdapter() : new ExpressAdapter();
const app = await NestFactory.create(FloorModule, adapter, { logger: false });
await app.listen(0, '127.0.0.1');
const address = app.getHttpServer().address() as { port: number };
console.log(JSON.stringify({ url: `http://127.0.0.1:${address.port}` }));
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
