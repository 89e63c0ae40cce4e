import { ApiProperty } from '@nestjs/swagger';

export class WalReceiverState {
  @ApiProperty({
    enum: ['idle', 'starting', 'streaming', 'failed', 'unassigned'],
    description:
      '`unassigned`: no worker holds the receiver right now (none running, or its worker stopped renewing; another takes over within a minute).',
  })
  state!: string;

  @ApiProperty({ type: String, nullable: true, description: 'Why it last failed, in words.' })
  last_error!: string | null;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class WalSlotState {
  @ApiProperty({ description: 'The physical replication slot on the instance.' })
  name!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The slot’s wal_status as the server last said (reserved, extended, unreserved, lost).',
  })
  wal_status!: string | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'Bytes of WAL the server keeps for the slot (its current position minus the slot’s restart_lsn), read every 30 s whether or not a worker receives the WAL.',
  })
  retained_bytes!: number | null;
}

/** The newest WAL in storage; every field null while there is none. */
export class WalPieceState {
  @ApiProperty({ type: String, nullable: true, example: '000000010000000000000003' })
  segment!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The LSN up to which storage holds the WAL.',
    example: '0/3A2B1C0',
  })
  end_lsn!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  shipped_at!: string | null;
}

export class WalGapState {
  @ApiProperty()
  from_lsn!: string;

  @ApiProperty()
  to_lsn!: string;

  @ApiProperty()
  reason!: string;

  @ApiProperty({ format: 'date-time', type: String, nullable: true })
  last_good_at!: string | null;

  @ApiProperty({ format: 'date-time' })
  detected_at!: string;

  @ApiProperty({
    format: 'date-time',
    type: String,
    nullable: true,
    description: 'When the base backup that restarts the window was queued.',
  })
  backup_requested_at!: string | null;
}

/** An instance's continuous archiving as operators watch it. */
export class WalArchiveResponse {
  @ApiProperty({ type: WalReceiverState })
  receiver!: WalReceiverState;

  @ApiProperty({ type: WalSlotState })
  slot!: WalSlotState;

  @ApiProperty({ type: WalPieceState, description: 'The newest WAL in storage.' })
  last_shipped!: WalPieceState;

  @ApiProperty({ type: [WalGapState], description: 'Gaps in the archive, newest first.' })
  gaps!: WalGapState[];
}
