import { Module } from '@nestjs/common';
import { AuditRepository } from './audit.repository';

/** The audit log's records, for the API (which writes and reads them) and the hourly pruning. */
@Module({ providers: [AuditRepository], exports: [AuditRepository] })
export class AuditDataModule {}
