import { Module } from '@nestjs/common';
import { SlotWatch } from './slot-watch.service';
import { WalRepository } from './wal.repository';

/** Reading each instance's replication slot, in the API and in every worker. */
@Module({ providers: [WalRepository, SlotWatch] })
export class WalSlotsModule {}
