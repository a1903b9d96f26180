import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { AuditController } from './audit.controller.js';
import { AuditHttpMiddleware } from './audit-http.middleware.js';
import { AuditRepository } from './audit.repository.js';
import { AuditTrail } from './audit-trail.service.js';

/** The tenant-readable audit trail (`GET /api/v1/audit`), its batch writer, and the REST-write recorder. */
@Module({
  controllers: [AuditController],
  providers: [AuditRepository, AuditTrail, AuditHttpMiddleware],
  exports: [AuditTrail],
})
export class AuditModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AuditHttpMiddleware).forRoutes('*');
  }
}
