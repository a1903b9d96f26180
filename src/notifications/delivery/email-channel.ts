import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import type { AppConfig, NotificationsConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { DestinationRow } from '../destinations/destinations.repository.js';
import { type ChannelResult, type OutgoingMessage, plainText } from './outgoing-message.js';
import { EVENT_ID_HEADER } from './webhook-signature.js';

/**
 * E-mail through the SMTP relay named by config (SMTP_URL). The relay is the operator's, so it is
 * not subject to the destination egress policy; recipients come only from the destination.
 */
@Injectable()
export class EmailChannel implements OnApplicationShutdown {
  private transport?: Transporter;
  private readonly smtp: NotificationsConfig['smtp'];
  private readonly timeoutMs: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.smtp = config.notifications.smtp;
    this.timeoutMs = config.notifications.delivery.timeoutMs;
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }

  async send(destination: DestinationRow, message: OutgoingMessage): Promise<ChannelResult> {
    if (!this.smtp) return { outcome: 'failed', retryable: true, error: 'e-mail delivery is not configured (SMTP_URL)' };
    try {
      await this.transporter().sendMail({
        from: this.smtp.from,
        to: destination.recipients ?? [],
        subject: message.subject,
        text: plainText(message),
        // A stable Message-ID per event lets mail systems drop a redelivered duplicate.
        messageId: `<${message.eventId}@notifications.sales-analytics>`,
        headers: { [EVENT_ID_HEADER]: message.eventId },
      });
      return { outcome: 'delivered', retryable: false };
    } catch (error) {
      return classifySmtpError(error);
    }
  }

  private transporter(): Transporter {
    this.transport ??= createTransport({
      url: this.smtp!.url,
      requireTLS: this.smtp!.requireTls,
      connectionTimeout: this.timeoutMs,
      greetingTimeout: this.timeoutMs,
      socketTimeout: this.timeoutMs,
    });
    return this.transport;
  }
}

/** RFC 5321: 5yz replies are permanent (503, a sequencing error, excepted); anything else may pass later. */
function classifySmtpError(error: unknown): ChannelResult {
  const { responseCode, code } = (error ?? {}) as { responseCode?: number; code?: string };
  if (typeof responseCode === 'number') {
    const permanent = responseCode >= 500 && responseCode < 600 && responseCode !== 503;
    return { outcome: 'failed', retryable: !permanent, error: `SMTP reply ${responseCode}` };
  }
  return { outcome: 'failed', retryable: true, error: `SMTP ${typeof code === 'string' ? code : 'connection failed'}` };
}
