import { Module } from '@nestjs/common';
import { InstancesRepository } from './instances.repository';

/** The instances' records: one provider of the repository for the API's and the worker's modules. */
@Module({ providers: [InstancesRepository], exports: [InstancesRepository] })
export class InstancesDataModule {}
