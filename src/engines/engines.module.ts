import { Module } from '@nestjs/common';
import { DumpEngines } from './engines';

@Module({ providers: [DumpEngines], exports: [DumpEngines] })
export class EnginesModule {}
