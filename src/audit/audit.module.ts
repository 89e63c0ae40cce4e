import { Module } from '@nestjs/common';
import { AdminAuditController } from './admin-audit.controller';
import { AuditDataModule } from './audit-data.module';

/**
 * The audit log: who did what. Every state-changing request is recorded by auditRecorder (an
 * Express middleware app.factory.ts installs for every route), and read at `GET /admin/v1/audit`.
 */
@Module({
  imports: [AuditDataModule],
  controllers: [AdminAuditController],
  exports: [AuditDataModule],
})
export class AuditModule {}
