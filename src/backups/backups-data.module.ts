import { Module } from '@nestjs/common';
import { BackupsRepository } from './backups.repository';
import { BackupsJson } from './backups-json.repository';

/** The backups' records: one provider of each repository for the API's and the worker's modules. */
@Module({ providers: [BackupsRepository, BackupsJson], exports: [BackupsRepository, BackupsJson] })
export class BackupsDataModule {}
