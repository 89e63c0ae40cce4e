import { Module } from '@nestjs/common';
import { RestoresRepository } from './restores.repository';

/** The restores' records: one provider of the repository for the API's and the worker's modules. */
@Module({ providers: [RestoresRepository], exports: [RestoresRepository] })
export class RestoresDataModule {}
