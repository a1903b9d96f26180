import { Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../../auth/current-principal.decorator.js';
import type { Principal } from '../../auth/principal.js';
import { RequireScopes } from '../../auth/require-scopes.decorator.js';
import { Scope } from '../../auth/scope.js';
import { ZodBody, ZodParams } from '../../common/validation/zod-validation.js';
import {
  type CreateDestinationInput,
  createDestinationSchema,
  destinationIdParams,
  type DestinationView,
  type UpdateDestinationInput,
  updateDestinationSchema,
} from './destinations.schemas.js';
import { DestinationsService } from './destinations.service.js';

@ApiTags('notifications')
@Controller('api/v1/notifications/destinations')
export class DestinationsController {
  constructor(private readonly destinations: DestinationsService) {}

  @Get()
  @RequireScopes(Scope.NotificationsManage)
  @ApiOperation({ summary: "List the tenant's notification destinations (secrets never shown)" })
  async list(@CurrentPrincipal() principal: Principal): Promise<{ items: DestinationView[] }> {
    return { items: await this.destinations.list(principal) };
  }

  @Post()
  @RequireScopes(Scope.NotificationsManage)
  @ApiOperation({ summary: 'Create a destination; a webhook gets a signing secret, shown in this response only' })
  create(@CurrentPrincipal() principal: Principal, @ZodBody(createDestinationSchema) input: CreateDestinationInput): Promise<DestinationView> {
    return this.destinations.create(principal, input);
  }

  @Get(':id')
  @RequireScopes(Scope.NotificationsManage)
  @ApiOperation({ summary: 'Read one destination' })
  get(@CurrentPrincipal() principal: Principal, @ZodParams(destinationIdParams) params: { id: string }): Promise<DestinationView> {
    return this.destinations.get(principal, params.id);
  }

  @Patch(':id')
  @RequireScopes(Scope.NotificationsManage)
  @ApiOperation({ summary: 'Change a destination (optionally at an expected version); rotateSecret issues a new signing secret' })
  update(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(destinationIdParams) params: { id: string },
    @ZodBody(updateDestinationSchema) input: UpdateDestinationInput,
  ): Promise<DestinationView> {
    return this.destinations.update(principal, params.id, input);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes(Scope.NotificationsManage)
  @ApiOperation({ summary: 'Delete a destination; its rules go with it, undelivered notifications to it are dead-lettered' })
  async remove(@CurrentPrincipal() principal: Principal, @ZodParams(destinationIdParams) params: { id: string }): Promise<void> {
    await this.destinations.remove(principal, params.id);
  }
}
