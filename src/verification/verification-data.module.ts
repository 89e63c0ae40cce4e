import { Module } from '@nestjs/common';
import { VerificationsRepository } from './verifications.repository';

/** The verifications' records: one provider of the repository for the API's and the worker's modules. */
@Module({ providers: [VerificationsRepository], exports: [VerificationsRepository] })
export class VerificationsDataModule {}
