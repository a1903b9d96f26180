import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createRemoteJWKSet, jwtVerify } from 'jose';

/**
 * (b) The seed article's design: a plain Express 5 app with a `jose` bearer check — signature by
 * a key from the issuer's JWKS (cached by jose), `alg` allow-list, `iss`, `aud`, `exp` (+ `nbf`,
 * 60 s tolerance, maximum age), tenant claim and scope present — answering the same JSON bytes.
 * Settings from BENCH_* variables; prints `{"url"}` once listening.
 */
const issuer = process.env.BENCH_ISSUER!;
const audience = process.env.BENCH_AUDIENCE!;
const scope = process.env.BENCH_SCOPE ?? 'mcp:tools:sales-data:read';
const body = Buffer.from(process.env.BENCH_BODY ?? '{"ok":true}');
const jwks = createRemoteJWKSet(new URL(process.env.BENCH_JWKS_URI!));

const app = express();
app.disable('x-powered-by');
app.use(async (request: Request, response: Response, next: NextFunction) => {
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(request.headers.authorization ?? '');
  if (!match) return void response.status(401).json({ error: 'unauthorized' });
  try {
    const { payload } = await jwtVerify(match[1]!, jwks, {
      issuer,
      audience,
      algorithms: ['RS256', 'ES256'],
      clockTolerance: 60,
      maxTokenAge: '3600s',
      requiredClaims: ['exp', 'iat'],
    });
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
    if (typeof payload.org_id !== 'string') return void response.status(401).json({ error: 'invalid_token' });
    if (!scopes.includes(scope)) return void response.status(403).json({ error: 'insufficient_scope' });
    next();
  } catch {
    response.status(401).json({ error: 'invalid_token' });
  }
});
app.get(/.*/, (_request, response) => {
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.end(body);
});
const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
