import { Module } from '@nestjs/common';
import { WorkersRepository } from './workers.repository';

/** The workers table: one provider of the repository for the API's and the worker's modules. */
@Module({ providers: [WorkersRepository], exports: [WorkersRepository] })
export class WorkersDataModule {}
