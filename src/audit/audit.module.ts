import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller.js';
import { AuditHttpHook } from './audit-http.hook.js';
import { AuditRepository } from './audit.repository.js';
import { AuditTrail } from './audit-trail.service.js';

/** The tenant-readable audit trail (`GET /api/v1/audit`), its batch writer, and the REST-write recorder. */
@Module({
  controllers: [AuditController],
  providers: [AuditRepository, AuditTrail, AuditHttpHook],
  exports: [AuditTrail],
})
export class AuditModule {}
