import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { RequireScopes } from '../auth/require-scopes.decorator.js';
import { Scope } from '../auth/scope.js';
import { IdempotencyKey } from '../common/idempotency/idempotency-key.decorator.js';
import { toJsonSchema, ZodBody, ZodParams } from '../common/validation/zod-validation.js';
import {
  notificationIdParams,
  type NotificationView,
  type SendNotificationInput,
  sendNotificationResultSchema,
  sendNotificationSchema,
  type SendNotificationResult,
} from './notifications.schemas.js';
import { NotificationsService } from './notifications.service.js';

@ApiTags('notifications')
@Controller('api/v1/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Post()
  @HttpCode(202)
  @RequireScopes(Scope.NotificationsSend)
  @ApiOperation({ summary: 'Queue a notification to a configured destination (by id or name); delivery is asynchronous' })
  @ApiAcceptedResponse({ schema: toJsonSchema(sendNotificationResultSchema, 'output') as never })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Retry-safe key (1-255 visible ASCII); a retry returns the first response and sends nothing' })
  send(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(sendNotificationSchema) input: SendNotificationInput,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<SendNotificationResult> {
    return this.notifications.send(principal, input, { idempotencyKey });
  }

  @Get(':id')
  @RequireScopes(Scope.NotificationsSend)
  @ApiOperation({ summary: 'Status of a notification and its delivery attempts' })
  get(@CurrentPrincipal() principal: Principal, @ZodParams(notificationIdParams) params: { id: string }): Promise<NotificationView> {
    return this.notifications.get(principal, params.id);
  }
}
