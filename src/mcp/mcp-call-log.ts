import type { AuthInfo, ServerContext } from '@modelcontextprotocol/server';
import type { Principal } from '../auth/principal.js';
import { digestArguments } from '../audit/args-digest.js';
import type { AuditTrail } from '../audit/audit-trail.service.js';
import type { AuditChannel, AuditKind, AuditOutcome } from '../audit/audit.types.js';
import type { MetricsService } from '../observability/metrics.service.js';

type MessageId = string | number;

const UNKNOWN_ITEM = '(unknown)';

interface PendingCall {
  id: MessageId | undefined;
  kind: AuditKind;
  name: string;
  /** The metrics label: the registry name, or `(unknown)` — never a name a client made up (one series each). */
  metricName: string;
  argsDigest: string;
  started: bigint;
  outcome?: AuditOutcome;
  errorCode?: string;
}

/**
 * The audit of one HTTP request to `/mcp`: each audited JSON-RPC message (tools/call,
 * resources/read, prompts/get) is begun when the body is read and queued for writing as soon as
 * the handler wrapper that ran it settles it. A message still unsettled when the exchange ends was
 * refused by the SDK before dispatch (unknown tool, invalid arguments): `rejected`.
 */
export class McpCallLog {
  private readonly calls: PendingCall[] = [];

  constructor(
    private readonly audit: AuditTrail,
    private readonly principal: Principal,
    private readonly channel: AuditChannel,
    /** The HTTP request's id (X-Request-Id), for the audit rows and the error logs of its calls. */
    readonly requestId: string | undefined,
    private readonly metrics?: MetricsService,
  ) {}

  /** `known`: `name` is a registered item's (otherwise it is what the client asked for). */
  begin(id: MessageId | undefined, kind: AuditKind, name: string, args: unknown, known = true): void {
    const metricName = known ? name : UNKNOWN_ITEM;
    this.calls.push({ id, kind, name, metricName, argsDigest: digestArguments(args ?? {}), started: process.hrtime.bigint() });
  }

  /** Called by the handler wrapper with the JSON-RPC id the SDK hands it; the row is queued at once. */
  settle(id: MessageId | undefined, outcome: AuditOutcome, errorCode?: string): void {
    const call = this.calls.find((candidate) => candidate.id === id && candidate.outcome === undefined);
    if (!call) return;
    call.outcome = outcome;
    call.errorCode = errorCode;
    this.write(call, process.hrtime.bigint());
  }

  /** Every begun call refused at once (a 403 for the request: nothing ran). */
  denyAll(errorCode: string): void {
    for (const call of this.calls) this.settle(call.id, 'denied', errorCode);
  }

  /** At the end of the exchange: what no handler settled was refused by the SDK before dispatch. */
  finish(): void {
    const now = process.hrtime.bigint();
    for (const call of this.calls) {
      if (call.outcome !== undefined) continue;
      call.outcome = 'rejected';
      call.errorCode = 'invalid_params';
      this.write(call, now);
    }
    this.calls.length = 0;
  }

  private write(call: PendingCall, finished: bigint): void {
    if (call.kind === 'tool') this.metrics?.recordToolCall(call.metricName, call.outcome!, Number(finished - call.started) / 1e9);
    this.audit.record({
      tenantId: this.principal.tenantId,
      occurredAt: new Date(),
      subject: this.principal.subject,
      clientId: this.principal.clientId,
      tokenId: this.principal.tokenId,
      channel: this.channel,
      kind: call.kind,
      name: call.name,
      argsDigest: call.argsDigest,
      outcome: call.outcome!,
      errorCode: call.errorCode,
      latencyMs: Number(finished - call.started) / 1e6,
      requestId: this.requestId,
    });
  }
}

/** What reaches the SDK's handlers through `authInfo.extra` for one HTTP request. */
export interface McpRequestState {
  principal: Principal;
  calls: McpCallLog;
}

const STATE_KEY = 'salesAnalytics';

/**
 * The AuthInfo handed to the SDK: scopes and client id for its own bookkeeping, our state in
 * `extra` — and never the bearer token (nothing downstream of the gateway can pass it on).
 */
export function authInfoFor(state: McpRequestState): AuthInfo {
  return {
    token: '[not forwarded]',
    clientId: state.principal.clientId,
    scopes: state.principal.scopes,
    expiresAt: state.principal.expiresAt,
    extra: { [STATE_KEY]: state },
  };
}

export function requestStateOf(context: Pick<ServerContext, 'http'>): McpRequestState {
  return requestStateFromAuthInfo(context.http?.authInfo);
}

export function requestStateFromAuthInfo(authInfo: AuthInfo | undefined): McpRequestState {
  const state = authInfo?.extra?.[STATE_KEY] as McpRequestState | undefined;
  // The gateway sets it on every request it lets through; a handler without it is a wiring bug.
  if (!state) throw new Error('MCP handler reached without a request state');
  return state;
}
