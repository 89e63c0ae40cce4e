import { Module } from '@nestjs/common';
import { PitrRepository } from './pitr.repository';

/** The WAL archive's records as point-in-time recovery reads them, for the API and the worker. */
@Module({ providers: [PitrRepository], exports: [PitrRepository] })
export class PitrDataModule {}
