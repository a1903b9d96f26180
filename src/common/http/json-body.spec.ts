import { deflateSync, gzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyError, registerBodyParsers } from './json-body.js';

const LIMIT = 1024;

describe('JSON body parsing (body-parser rules on Fastify)', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify();
    registerBodyParsers(app, { limit: LIMIT, exempt: (request) => request.routeOptions.url === '/stream' });
    app.setErrorHandler((error, _request, reply) => {
      const failure = error as unknown as BodyError;
      void reply.code(failure.statusCode ?? 500).send({ type: failure.type ?? 'other' });
    });
    app.post('/echo', async (request) => ({ body: request.body ?? null }));
    // A route that reads its own body: what is left of the stream is what it gets.
    app.post('/stream', async (request) => {
      let text = '';
      for await (const chunk of request.raw) text += String(chunk);
      return { parsed: request.body ?? null, text };
    });
    await app.ready();
  });
  afterAll(() => app.close());

  const post = (payload: string | Buffer, headers: Record<string, string>, url = '/echo') =>
    app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...headers } });

  it('when the body is an object or an array, then it is parsed', async () => {
    expect((await post('{"a":1}', {})).json()).toEqual({ body: { a: 1 } });
    expect((await post(' [1,2]', {})).json()).toEqual({ body: [1, 2] });
  });

  it('when the JSON body is empty, then it is {} (as body-parser had it)', async () => {
    expect((await post('', {})).json()).toEqual({ body: {} });
  });

  it('when the body is a JSON scalar or not JSON, then 400 entity.parse.failed (strict)', async () => {
    for (const payload of ['"text"', '42', 'null', '{"a":']) {
      const response = await post(payload, {});
      expect(response.statusCode, payload).toBe(400);
      expect(response.json(), payload).toEqual({ type: 'entity.parse.failed' });
    }
  });

  it('when the declared or inflated size passes the limit, then 413 entity.too.large', async () => {
    expect((await post(`{"a":"${'x'.repeat(LIMIT)}"}`, {})).json()).toEqual({ type: 'entity.too.large' });
    const bomb = gzipSync(`{"a":"${'x'.repeat(LIMIT * 64)}"}`);
    expect(bomb.length).toBeLessThan(LIMIT);
    const response = await post(bomb, { 'content-encoding': 'gzip' });
    expect(response.statusCode).toBe(413);
  });

  it('when the body is gzip or deflate within the limit, or UTF-16, then it is decoded and parsed', async () => {
    expect((await post(gzipSync('{"z":"g"}'), { 'content-encoding': 'gzip' })).json()).toEqual({ body: { z: 'g' } });
    expect((await post(deflateSync('{"z":"d"}'), { 'content-encoding': 'deflate' })).json()).toEqual({ body: { z: 'd' } });
    const utf16 = Buffer.from('{"z":"é"}', 'utf16le');
    expect((await post(utf16, { 'content-type': 'application/json; charset=utf-16le' })).json()).toEqual({ body: { z: 'é' } });
  });

  it('when the encoding or the charset is unknown, then 415', async () => {
    expect((await post('{}', { 'content-encoding': 'zstd-x' })).json()).toEqual({ type: 'encoding.unsupported' });
    expect((await post('{}', { 'content-type': 'application/json; charset=latin1' })).json()).toEqual({ type: 'charset.unsupported' });
  });

  it('when the media type is not JSON, or the route is exempt, then the body is left unread for the route', async () => {
    expect((await post('a,b\n1,2\n', { 'content-type': 'text/csv' })).json()).toEqual({ body: null });
    const large = `[${'1,'.repeat(LIMIT)}1]`;
    expect((await post(large, {}, '/stream')).json()).toEqual({ parsed: null, text: large });
    expect((await post('a,b', { 'content-type': 'text/csv' }, '/stream')).json()).toEqual({ parsed: null, text: 'a,b' });
  });
});
