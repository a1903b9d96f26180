import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/server';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { z } from 'zod';

/**
 * The bench's floor for MCP: plain node:http + the same SDK (v2, stateless Streamable HTTP), no
 * framework, no auth, no audit. `BENCH_MCP_MODE=fresh` builds an McpServer per request and answers
 * over SSE (the SDK's documented stateless idiom); `pool` reuses closed servers and answers with one
 * JSON body, as our gateway does for data tools. It registers
 * `test_simple_text` (the same answer as our conformance fixture) among a dozen tools with small
 * zod schemas, about what one of our tokens sees. Prints `{"url"}` once listening.
 */
const mode = process.env.BENCH_MCP_MODE === 'pool' ? 'pool' : 'fresh';
const idle: McpServer[] = [];

function build(): McpServer {
  const server = new McpServer({ name: 'bare', version: '1.0.0' }, { capabilities: { tools: {}, resources: {}, prompts: {} } });
  server.registerTool('test_simple_text', { description: 'Returns a simple text' }, async () => ({
    content: [{ type: 'text', text: 'This is a simple text response for testing.' }],
  }));
  for (let index = 0; index < 11; index++) {
    server.registerTool(`filler_${index}`, { description: `filler ${index}`, inputSchema: z.object({ id: z.uuid(), limit: z.string().optional() }) }, async () => ({
      content: [{ type: 'text', text: 'x' }],
    }));
  }
  return server;
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

const http = createServer(async (request, response) => {
  const body = await readJson(request);
  const server = (mode === 'pool' && idle.pop()) || build();
  const transport = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: mode === 'pool' });
  await server.connect(transport);
  response.once('close', () => void server.close().then(() => mode === 'pool' && idle.length < 32 && idle.push(server)));
  await transport.handleRequest(request, response, body);
});
http.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` }));
});
process.on('SIGTERM', () => http.close(() => process.exit(0)));
