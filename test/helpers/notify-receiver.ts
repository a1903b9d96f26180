import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  eventId: string | undefined;
  /** The signature check as a third-party receiver does it (null: no secret registered for the path). */
  signatureValid: boolean | null;
  receivedAt: number;
}

/** What a path answers: a status, or `hold` (keep the request open until `release`). */
export type Reply = number | 'hold';
export type Behaviour = (request: ReceivedRequest, countOnPath: number) => Reply;

/**
 * A webhook receiver on 127.0.0.1 written the way a customer would write one, independently of
 * our signing code: it checks `Sales-Signature` (HMAC-SHA256 over "t.body", 5-minute tolerance)
 * against the secret registered for the path, answers 400 to a bad signature, and records
 * everything. Each path has its own behaviour (status sequence, hold) and secret.
 */
export class NotifyReceiver {
  url = '';
  readonly requests: ReceivedRequest[] = [];
  /** Shifts the receiver's clock, to replay a captured request "later". */
  clockOffsetSeconds = 0;
  private readonly secrets = new Map<string, string>();
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly held: { request: ReceivedRequest; response: ServerResponse }[] = [];
  private readonly waiters: (() => void)[] = [];
  private server?: Server;

  /** Any 127/8 address works on Linux; a distinct one keeps a suite's destinations its own. */
  async start(host = '127.0.0.1'): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((done) => this.server!.listen(0, host, done));
    this.url = `http://${host}:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()));
  }

  /** Registers a path: its signing secret (webhooks) and behaviour (default 200). Returns its URL. */
  route(path: string, options: { secret?: string; behaviour?: Behaviour } = {}): string {
    if (options.secret) this.secrets.set(path, options.secret);
    if (options.behaviour) this.behaviours.set(path, options.behaviour);
    return `${this.url}${path}`;
  }

  setSecret(path: string, secret: string): void {
    this.secrets.set(path, secret);
  }

  on(path: string): ReceivedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  /** Answers every held request with `status`. */
  releaseHeld(status = 200): void {
    for (const { response } of this.held.splice(0)) if (!response.destroyed) response.writeHead(status).end('ok');
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** Resolves once `predicate` holds (checked after every request), or rejects after `timeoutMs`. */
  async waitUntil(predicate: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`receiver: ${what} not met within ${timeoutMs} ms (${this.requests.length} requests)`);
      await new Promise<void>((done) => {
        const timer = setTimeout(done, 100);
        this.waiters.push(() => {
          clearTimeout(timer);
          done();
        });
      });
    }
  }

  /** Verifies a Sales-Signature header exactly as documented for customers. */
  verify(header: string | undefined, body: string, secret: string): boolean {
    const fields = new Map((header ?? '').split(',').map((part) => part.split('=', 2) as [string, string]));
    const timestamp = Number(fields.get('t'));
    const given = fields.get('v1') ?? '';
    const now = Math.floor(Date.now() / 1000) + this.clockOffsetSeconds;
    if (!Number.isInteger(timestamp) || Math.abs(now - timestamp) > 300 || !/^[0-9a-f]{64}$/.test(given)) return false;
    const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest();
    return timingSafeEqual(expected, Buffer.from(given, 'hex'));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = new URL(request.url ?? '/', this.url).pathname;
    const secret = this.secrets.get(path);
    const signature = request.headers['sales-signature'];
    const received: ReceivedRequest = {
      path,
      headers: request.headers,
      body,
      eventId: request.headers['sales-event-id'] as string | undefined,
      signatureValid: secret ? this.verify(Array.isArray(signature) ? signature[0] : signature, body, secret) : null,
      receivedAt: Date.now(),
    };
    this.requests.push(received);
    const reply = received.signatureValid === false ? 400 : (this.behaviours.get(path)?.(received, this.on(path).length) ?? 200);
    if (reply === 'hold') this.held.push({ request: received, response });
    else response.writeHead(reply, { 'content-type': 'text/plain' }).end(reply < 300 ? 'ok' : 'no');
    for (const wake of this.waiters.splice(0)) wake();
  }
}

/** Sends a captured request again, byte for byte (a replay attack). */
export async function replay(url: string, captured: ReceivedRequest): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const name of ['sales-signature', 'sales-event-id']) headers[name] = String(captured.headers[name]);
  const response = await fetch(url, { method: 'POST', headers, body: captured.body });
  return response.status;
}
