import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { DestinationRow } from '../destinations/destinations.repository.js';
import { checkUrlShape, DestinationUrlError, type EgressPolicy } from '../egress/destination-url.js';
import { closeEgressAgents, HttpTimeoutError, postPinned } from '../egress/pinned-http.js';
import { bareHostname, EgressRefusedError, resolvePublicTarget } from '../egress/resolve-target.js';
import { type ChannelResult, type OutgoingMessage, plainText, webhookBody } from './outgoing-message.js';
import { ATTEMPT_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER, signatureHeader } from './webhook-signature.js';

const USER_AGENT = 'SalesAnalytics-Notifications/1';

/** Webhook and Slack delivery over HTTP(S), through the egress policy on every attempt. */
@Injectable()
export class HttpChannel implements OnApplicationShutdown {
  private readonly policy: EgressPolicy;
  private readonly limits: { timeoutMs: number; maxResponseBytes: number };

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const { egress, delivery } = config.notifications;
    this.policy = { ...egress, timeoutMs: delivery.timeoutMs };
    this.limits = { timeoutMs: delivery.timeoutMs, maxResponseBytes: delivery.maxResponseBytes };
  }

  onApplicationShutdown(): void {
    closeEgressAgents();
  }

  sendWebhook(destination: DestinationRow, message: OutgoingMessage): Promise<ChannelResult> {
    const body = webhookBody(message);
    const timestamp = Math.floor(Date.now() / 1000);
    return this.post(destination, body, {
      'content-type': 'application/json',
      [SIGNATURE_HEADER]: signatureHeader(destination.signing_secret!, body, timestamp),
      [EVENT_ID_HEADER]: message.eventId,
      [ATTEMPT_HEADER]: String(message.attempt),
      // Receivers that de-duplicate by Idempotency-Key get the event id there too.
      'idempotency-key': message.eventId,
    });
  }

  sendSlack(destination: DestinationRow, message: OutgoingMessage): Promise<ChannelResult> {
    const body = JSON.stringify({ text: `*${escapeSlack(message.subject)}*\n${escapeSlack(plainText(message))}`.trim() });
    return this.post(destination, body, { 'content-type': 'application/json', [EVENT_ID_HEADER]: message.eventId });
  }

  private async post(destination: DestinationRow, body: string, headers: Record<string, string>): Promise<ChannelResult> {
    try {
      // Re-checked now, not trusted from creation: config may have changed, DNS certainly may have.
      const checked = checkUrlShape(destination.url!, destination.type as 'webhook' | 'slack', this.policy);
      const url = checked.url;
      // Local only when flagged at creation AND still allow-listed by this instance's config.
      const allowLocal = destination.allow_local && checked.allowLocal;
      const target = await resolvePublicTarget(bareHostname(url), { allowLocal, timeoutMs: this.limits.timeoutMs });
      const response = await postPinned(url, target, body, { 'user-agent': USER_AGENT, ...headers }, this.limits);
      return classifyStatus(response.status);
    } catch (error) {
      return classifyError(error);
    }
  }
}

export function classifyStatus(status: number): ChannelResult {
  if (status >= 200 && status < 300) return { outcome: 'delivered', retryable: false, httpStatus: status };
  if (status >= 300 && status < 400) return { outcome: 'failed', retryable: false, httpStatus: status, error: `answered ${status}; redirects are not followed` };
  const retryable = status >= 500 || [408, 425, 429].includes(status);
  return { outcome: 'failed', retryable, httpStatus: status, error: `answered ${status}` };
}

function classifyError(error: unknown): ChannelResult {
  if (error instanceof DestinationUrlError) return { outcome: 'refused', retryable: false, error: `url ${error.message}` };
  if (error instanceof EgressRefusedError) {
    return error.permanent ? { outcome: 'refused', retryable: false, error: error.message } : { outcome: 'failed', retryable: true, error: error.message };
  }
  if (error instanceof HttpTimeoutError) return { outcome: 'failed', retryable: true, error: error.message };
  const code = (error as { code?: unknown })?.code;
  // Network-level failures (refused, reset, TLS) may clear up: retry. Never echo response bodies.
  return { outcome: 'failed', retryable: true, error: typeof code === 'string' ? `connection failed (${code})` : 'connection failed' };
}

/** Slack treats &, < and > as control characters in message text. */
function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
