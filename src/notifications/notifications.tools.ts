import { Injectable } from '@nestjs/common';
import type { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import { Scope } from '../auth/scope.js';
import { McpCapabilities, McpTool } from '../mcp/mcp.decorators.js';
import { notificationsSendToolInputSchema, sendNotificationResultSchema } from './notifications.schemas.js';
import { NotificationsService } from './notifications.service.js';

/** The notifications MCP tool (CONTRACT.md); its seed RPC twin is `notifications/send` on /mcp/tools/notifications. */
@McpCapabilities()
@Injectable()
export class NotificationsTools {
  constructor(private readonly notifications: NotificationsService) {}

  @McpTool({
    name: 'notifications_send',
    title: 'Send a notification',
    description:
      'Queues a message (subject, text, severity, a few data fields) to one of the destinations the tenant configured ' +
      '(a webhook, Slack channel or e-mail list), named by its id or name; it never accepts a URL or an address. ' +
      'Delivery is asynchronous and retried; the result is the notification id and its status. ' +
      'Pass idempotencyKey to make a retry return the first result instead of sending twice.',
    scope: Scope.NotificationsSend,
    input: notificationsSendToolInputSchema,
    output: sendNotificationResultSchema,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  })
  send(principal: Principal, input: z.output<typeof notificationsSendToolInputSchema>) {
    const { idempotencyKey, ...notification } = input;
    return this.notifications.send(principal, notification, { idempotencyKey });
  }
}
