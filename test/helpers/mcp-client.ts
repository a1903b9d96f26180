import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

export type Era = 'legacy' | 'modern';

/** The official SDK client on `/mcp`, with a static bearer header (what Claude Code's `--header` does). */
export async function connectMcp(baseUrl: string, token: string, era: Era = 'legacy'): Promise<Client> {
  const client = new Client(
    { name: 'e2e', version: '1.0.0' },
    { versionNegotiation: { mode: era === 'modern' ? { pin: '2026-07-28' } : 'legacy' } },
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return client;
}

export const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-11-25',
};

/** A raw JSON-RPC POST to `/mcp` (for what the SDK client will not send: batches, bad headers…). */
export function postMcp(baseUrl: string, body: unknown, token?: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${baseUrl}/mcp`, {
    method: 'POST',
    headers: { ...MCP_HEADERS, ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The JSON-RPC messages of a response, whether it came as JSON or as an SSE stream. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function rpcMessages(response: Response): Promise<any[]> {
  const text = await response.text();
  if ((response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    return text
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice(6)));
  }
  const parsed = text ? JSON.parse(text) : undefined;
  return Array.isArray(parsed) ? parsed : parsed === undefined ? [] : [parsed];
}

/** `POST /mcp/<kind>/<group>` with the seed's `{method, params}` envelope. */
export function postRpc(baseUrl: string, path: string, body: unknown, token?: string): Promise<Response> {
  return fetch(`${baseUrl}/mcp/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}
