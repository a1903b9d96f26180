import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * (a) The floor: node:http answering the same JSON bytes as our route, no auth, no framework.
 * Prints `{"url"}` once listening; body from BENCH_BODY.
 */
const body = Buffer.from(process.env.BENCH_BODY ?? '{"ok":true}');
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  response.end(body);
});
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
