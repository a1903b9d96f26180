import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { PinnedTarget } from './resolve-target.js';

export interface PostResult {
  status: number;
  /** The start of the response body, at most `maxResponseBytes`. */
  body: string;
}

export interface PostLimits {
  /** A total deadline (connect, send, response): a slow-drip receiver cannot hold a worker. */
  timeoutMs: number;
  maxResponseBytes: number;
}

export class HttpTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`no complete response within ${timeoutMs} ms`);
    this.name = 'HttpTimeoutError';
  }
}

// Keep-alive pools: a pooled socket is already connected to an address that passed the policy.
const agents = {
  'http:': new HttpAgent({ keepAlive: true, maxSockets: 64 }),
  'https:': new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
};

/** Closes pooled sockets (on shutdown). */
export function closeEgressAgents(): void {
  agents['http:'].destroy();
  agents['https:'].destroy();
}

/**
 * POSTs to `url` connecting only to `target.address` (a lookup that returns the pinned address
 * whatever is asked), with TLS still verified against the hostname (SNI and certificate check use
 * the URL's host). Redirects are never followed: Node's client does not, and a 3xx is returned as is.
 */
export function postPinned(url: URL, target: PinnedTarget, body: string, headers: Record<string, string>, limits: PostLimits): Promise<PostResult> {
  const protocol = url.protocol as 'http:' | 'https:';
  const send = protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<PostResult>((resolve, reject) => {
    const request = send({
      protocol,
      hostname: target.hostname,
      port: url.port || (protocol === 'https:' ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      agent: agents[protocol],
      lookup: pinnedLookup(target),
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      request.destroy(new HttpTimeoutError(limits.timeoutMs));
    }, limits.timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(timedOut ? new HttpTimeoutError(limits.timeoutMs) : error);
    };
    request.on('error', fail);
    request.on('response', (response) => {
      readCapped(response, limits.maxResponseBytes).then((text) => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, body: text });
      }, fail);
    });
    request.end(body);
  });
}

function pinnedLookup(target: PinnedTarget): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as LookupFunction;
}

/** Reads at most `maxBytes` of a response; beyond that the socket is dropped rather than drained. */
function readCapped(response: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
      else {
        chunks.push(chunk.subarray(0, Math.max(0, maxBytes - (size - chunk.length))));
        response.destroy();
        resolve(Buffer.concat(chunks).toString('utf8'));
      }
    });
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
    response.on('aborted', () => reject(new Error('response aborted')));
  });
}
