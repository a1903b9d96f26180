import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/public.decorator.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { protectedResourceMetadata } from './protected-resource-metadata.js';

/** RFC 9728 discovery: how a client finds the authorization server and the scopes to ask for. */
@ApiTags('discovery')
@Public()
@Controller('.well-known')
export class MetadataController {
  private readonly document: Record<string, unknown>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.document = protectedResourceMetadata(config);
  }

  @Get('oauth-protected-resource')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOkResponse({ description: 'RFC 9728 protected resource metadata' })
  resource(): Record<string, unknown> {
    return this.document;
  }

  /** The same resource, at the path-inserted location MCP clients derive from `/mcp` (RFC 9728 §3.1). */
  @Get('oauth-protected-resource/mcp')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOkResponse({ description: 'RFC 9728 protected resource metadata for the MCP endpoint' })
  mcpResource(): Record<string, unknown> {
    return this.document;
  }
}
