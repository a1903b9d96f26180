import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { AppConfig } from '../../config/app-config.js';

/** Swagger UI at /docs and the OpenAPI document at /docs-json (both public). */
export function setupSwagger(app: INestApplication, config: AppConfig): void {
  const builder = new DocumentBuilder()
    .setTitle('Sales Analytics MCP server')
    .setDescription('REST API and MCP server for AI-driven sales analytics. Every route needs an OAuth 2.1 access token with the scope it names.')
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer');
  const document = SwaggerModule.createDocument(app, builder.build());
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Sales Analytics API',
    swaggerOptions: { persistAuthorization: true },
  });
  void config;
}
