import { createSign, generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type KeyName = 'k1' | 'k2' | 'k3' | 'k4' | 'kA-rsa' | 'kA-ec' | 'kW';
export type JwksMode = 'up' | 'down' | 'slow' | 'drip' | 'garbage' | 'huge' | 'huge-valid' | 'error' | 'redirect' | 'html';

interface TestKey {
  alg: 'RS256' | 'ES256';
  privateKey: KeyObject;
  publicKey: KeyObject;
}

function rsaKey(bits = 2048): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return { alg: 'RS256', privateKey, publicKey };
}

function ecKey(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { alg: 'ES256', privateKey, publicKey };
}

// Generated once per test file (RSA key generation costs ~50 ms each).
const KEYS: Record<KeyName, TestKey> = {
  k1: rsaKey(),
  k2: ecKey(),
  k3: rsaKey(),
  k4: rsaKey(),
  'kA-rsa': rsaKey(),
  'kA-ec': ecKey(),
  kW: rsaKey(1024),
};

export function base64url(input: string | Buffer): string {
  return Buffer.from(input).toString('base64url');
}

export interface MintOptions {
  /** Claims merged over the defaults; a claim set to `undefined` is removed. */
  claims?: Record<string, unknown>;
  /** Header merged over the defaults; a member set to `undefined` is removed. */
  header?: Record<string, unknown>;
  /** Which private key signs (default: the one named by the header's kid, else k1). */
  signWith?: KeyName;
}

/**
 * A small real authorization server for tests: serves RFC 8414 / OIDC metadata and a JWKS over
 * HTTP on 127.0.0.1, with switches for rotation and faults (down, slow, slow-drip, garbage,
 * oversized), counts JWKS fetches, and mints tokens — valid ones and forged ones — by signing raw
 * bytes itself so that any header or claim can be crafted.
 */
export class TestIssuer {
  url = '';
  mode: JwksMode = 'up';
  slowMs = 10_000;
  jwksRequests = 0;
  /** JWKS requests the server is answering right now, and the most seen at once. */
  jwksInFlight = 0;
  jwksMaxInFlight = 0;
  /** Requests for the RFC 8414 / OpenID metadata documents. */
  metadataRequests = 0;
  /** Requests that followed the `redirect` mode's Location (a valid key set served elsewhere). */
  redirectTargetRequests = 0;
  /** When set, the metadata documents name this issuer instead of our own URL. */
  metadataIssuer?: string;
  published: KeyName[] = ['k1', 'k2'];
  /** Extra JWKs served verbatim (e.g. a published weak key). */
  extraJwks: Record<string, unknown>[] = [];
  private server?: Server;

  async start(): Promise<this> {
    this.server = createServer((request, response) => this.handle(request, response));
    await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((done) => this.server?.close(() => done()));
  }

  get jwksUri(): string {
    return `${this.url}/jwks.json`;
  }

  jwk(name: KeyName): Record<string, unknown> {
    const key = KEYS[name];
    return { ...key.publicKey.export({ format: 'jwk' }), kid: name, alg: key.alg, use: 'sig' };
  }

  /** The private half as a JWK (to test that a JWKS leaking private material is not used). */
  privateJwk(name: KeyName): Record<string, unknown> {
    const key = KEYS[name];
    return { ...key.privateKey.export({ format: 'jwk' }), kid: name, alg: key.alg, use: 'sig' };
  }

  /** A token for `audience`: the catalog's default claims, then the overrides. */
  mint(audience: string, options: MintOptions = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const header = strip({ alg: 'RS256', typ: 'at+jwt', kid: 'k1', ...options.header });
    const claims = strip({
      iss: this.url,
      aud: audience,
      sub: 'user-a1',
      client_id: 'client-1',
      org_id: 'tenant-a',
      scope: 'mcp:tools:sales-data:read mcp:tools:crm:read',
      iat: now,
      nbf: now,
      exp: now + 300,
      jti: randomUUID(),
      ...options.claims,
    });
    const signer = options.signWith ?? ((header.kid as KeyName) in KEYS ? (header.kid as KeyName) : 'k1');
    return signRaw(JSON.stringify(header), JSON.stringify(claims), signer);
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const path = new URL(request.url ?? '/', this.url).pathname;
    if (path === '/.well-known/oauth-authorization-server' || path === '/.well-known/openid-configuration') {
      this.metadataRequests++;
      return sendJson(response, { issuer: this.metadataIssuer ?? this.url, jwks_uri: this.jwksUri, token_endpoint: `${this.url}/token` });
    }
    if (path === '/elsewhere/jwks.json') {
      this.redirectTargetRequests++;
      return sendJson(response, { keys: this.published.map((name) => this.jwk(name)) });
    }
    if (path !== '/jwks.json') return sendJson(response, { error: 'not_found' }, 404);
    this.jwksRequests++;
    this.jwksInFlight++;
    this.jwksMaxInFlight = Math.max(this.jwksMaxInFlight, this.jwksInFlight);
    response.once('close', () => this.jwksInFlight--);
    this.serveJwks(response);
  }

  private serveJwks(response: ServerResponse): void {
    const body = JSON.stringify({ keys: [...this.published.map((name) => this.jwk(name)), ...this.extraJwks] });
    switch (this.mode) {
      case 'down':
        response.socket?.destroy();
        return;
      case 'slow':
        setTimeout(() => sendJson(response, JSON.parse(body)), this.slowMs).unref();
        return;
      case 'drip': {
        response.writeHead(200, { 'content-type': 'application/json' });
        let index = 0;
        const timer = setInterval(() => {
          if (index >= body.length || response.destroyed) return clearInterval(timer);
          response.write(body[index++]);
        }, 500);
        timer.unref();
        return;
      }
      case 'garbage':
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": [ this is not json');
        return;
      case 'error':
        response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"server_error"}');
        return;
      case 'redirect':
        // To a valid key set elsewhere: only a client that follows redirects would get keys from it.
        response.writeHead(302, { location: `${this.url}/elsewhere/jwks.json` }).end();
        return;
      case 'html':
        response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Login</body></html>');
        return;
      case 'huge-valid':
        // A valid key set padded past any sane size: only a client without a size cap would use it.
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...JSON.parse(body), pad: 'x'.repeat(2_000_000) }));
        return;
      case 'huge':
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [], pad: 'x'.repeat(2_000_000) }));
        return;
      default:
        sendJson(response, JSON.parse(body));
    }
  }
}

/** Signs `header.payload` (raw JSON strings) with a named key; ES256 signatures are raw R‖S. */
export function signRaw(headerJson: string, payloadJson: string, keyName: KeyName): string {
  const key = KEYS[keyName];
  const input = `${base64url(headerJson)}.${base64url(payloadJson)}`;
  const signer = createSign('SHA256').update(input);
  const signature =
    key.alg === 'ES256' ? signer.sign({ key: key.privateKey, dsaEncoding: 'ieee-p1363' }) : signer.sign(key.privateKey);
  return `${input}.${base64url(signature)}`;
}

export function publicKeyOf(name: KeyName): KeyObject {
  return KEYS[name].publicKey;
}

function strip(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

function sendJson(response: ServerResponse, body: unknown, status = 200): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
