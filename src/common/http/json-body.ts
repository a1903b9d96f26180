import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** 1 MB, as body-parser counted it (1024 × 1024 bytes), after decompression. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface JsonBodyOptions {
  limit: number;
  /** Routes that read their own body stream (the import): their JSON is left unread. */
  exempt?: (request: FastifyRequest) => boolean;
}

/**
 * The error the parser fails with: `type` names the failure the way body-parser did (the
 * exception filter maps it to the contract's error body); `status`/`statusCode`/`expose` make Nest
 * turn it into an HttpException with it as `cause`.
 */
export class BodyError extends Error {
  readonly statusCode: number;
  readonly expose = true;
  constructor(
    readonly status: number,
    readonly type: 'entity.too.large' | 'entity.parse.failed' | 'encoding.unsupported' | 'charset.unsupported',
    message: string,
  ) {
    super(message);
    this.statusCode = status;
  }
}

/**
 * The request-body rules the API had on Express (body-parser's JSON parser, `strict`), now as
 * Fastify content-type parsers:
 * - `application/json` is parsed up to `limit` bytes counted after decompression (gzip, deflate,
 *   br; another encoding is 415), a declared length past it is refused before reading; past the
 *   limit → 413; not an object or array, or not JSON → 400; an empty body is `{}`; a charset
 *   other than UTF-8/16 → 415. A refused body is read off first, so the client gets the answer
 *   instead of a reset.
 * - any other media type is left unread (the body stays `undefined`): the routes that take one
 *   read it from the stream themselves (CSV/NDJSON import, the login form), the others ignore it.
 */
export function registerBodyParsers(fastify: FastifyInstance, options: JsonBodyOptions): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', (request, payload, done) => {
    if (options.exempt?.(request)) return done(null, undefined);
    readJson(request.raw, payload, options.limit).then(
      (body) => done(null, body),
      (error: Error) => done(error, undefined),
    );
  });
  fastify.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
}

async function readJson(request: IncomingMessage, payload: Readable, limit: number): Promise<unknown> {
  const charset = charsetOf(request.headers['content-type']);
  let decoder: TextDecoder;
  try {
    decoder = decoderFor(charset);
  } catch {
    throw await drained(payload, new BodyError(415, 'charset.unsupported', `unsupported charset "${charset.toUpperCase()}"`));
  }
  const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
  const declared = Number(request.headers['content-length']);
  if (encoding === 'identity' && declared > limit) throw await drained(payload, tooLarge());
  const stream = decompressed(payload, encoding);
  if (!stream) throw await drained(payload, new BodyError(415, 'encoding.unsupported', `unsupported content encoding "${encoding}"`));
  const text = decoder.decode(await readUpTo(stream, payload, limit));
  if (text.length === 0) return {};
  // `strict`: only an object or an array is a body.
  const first = /^[\x20\x09\x0a\x0d]*(.)/.exec(text)?.[1];
  if (first !== '{' && first !== '[') throw parseFailed();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw parseFailed();
  }
}

// One decoder per charset, reused (decode() without `stream` keeps no state): few labels pass.
const decoders = new Map<string, TextDecoder>();

function decoderFor(charset: string): TextDecoder {
  let decoder = decoders.get(charset);
  if (!decoder) {
    if (!charset.startsWith('utf-')) throw new RangeError(charset);
    decoder = new TextDecoder(charset);
    decoders.set(charset, decoder);
  }
  return decoder;
}

function charsetOf(contentType: string | undefined): string {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match ? match[1]!.toLowerCase() : 'utf-8';
}

function decompressed(payload: Readable, encoding: string): Readable | undefined {
  switch (encoding) {
    case 'identity':
      return payload;
    case 'gzip':
    case 'x-gzip':
      return payload.pipe(createGunzip());
    case 'deflate':
      return payload.pipe(createInflate());
    case 'br':
      return payload.pipe(createBrotliDecompress());
    default:
      return undefined;
  }
}

/** Collects the (decoded) body, failing with 413 as soon as it grows past `limit`. */
function readUpTo(stream: Readable, payload: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      stream.removeListener('data', onData);
      if (stream !== payload) {
        payload.unpipe();
        stream.destroy();
      }
      drained(payload, error).then(reject, reject);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return fail(tooLarge());
      chunks.push(chunk);
    };
    stream.on('data', onData);
    stream.once('error', () => fail(parseFailed()));
    stream.once('end', () => {
      if (!failed) resolve(Buffer.concat(chunks, size));
    });
  });
}

/** Reads off the rest of the request, then hands back `error` (answering mid-upload would reset it). */
function drained(payload: Readable, error: Error): Promise<Error> {
  return new Promise((resolve) => {
    if (payload.readableEnded || payload.destroyed) return resolve(error);
    payload.on('data', () => undefined);
    payload.once('end', () => resolve(error));
    payload.once('error', () => resolve(error));
    payload.once('close', () => resolve(error));
    payload.resume();
  });
}

function tooLarge(): BodyError {
  return new BodyError(413, 'entity.too.large', 'request entity too large');
}

function parseFailed(): BodyError {
  return new BodyError(400, 'entity.parse.failed', 'the body is not valid JSON');
}
