import { request } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTP request through node:http, for what fetch cannot send: repeated headers (an array
 * value sends one header line per element), oversized headers, arbitrary bodies. Resolves with
 * the response, or rejects with the socket error when the server closes the connection instead.
 */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string | string[]>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const client = request(url, { method: options.method ?? 'GET', agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    for (const [name, value] of Object.entries(options.headers ?? {})) client.setHeader(name, value);
    client.on('error', reject);
    client.end(options.body);
  });
}
