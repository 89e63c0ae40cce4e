import { ApiProperty } from '@nestjs/swagger';

export class FleetInstance {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ enum: ['postgresql', 'mariadb', 'redis'] })
  type!: string;

  @ApiProperty({ enum: ['standard', 'continuous_archiving'] })
  backup_type!: string;

  @ApiProperty({
    format: 'date-time',
    description:
      'When it was registered: an instance with no backup yet is pending, not overdue, for its first 26 h.',
  })
  created_at!: string;

  @ApiProperty({
    format: 'date-time',
    type: String,
    nullable: true,
    description: 'When its newest done backup finished; null when it has none.',
  })
  last_success_at!: string | null;

  @ApiProperty({
    format: 'date-time',
    type: String,
    nullable: true,
    description: 'When its newest backup failed, if that is newer than its newest done one.',
  })
  last_failure_at!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Why that backup failed.' })
  last_failure_reason!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Its newest verification: running, verified or failed; null when none was made.',
  })
  verification_status!: string | null;

  @ApiProperty({
    format: 'date-time',
    type: String,
    nullable: true,
    description: 'When that verification succeeded; null unless it is verified.',
  })
  verified_at!: string | null;

  @ApiProperty({ description: 'Whether a backup or restore of it is queued or running.' })
  running!: boolean;

  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'While a backup of it runs: the bytes of archive written so far (null before its first report, or when none runs).',
  })
  running_bytes!: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'The size of its newest done backup, which a running backup is measured against; null when it has none.',
  })
  expected_bytes!: number | null;

  @ApiProperty({
    description:
      'Continuous archiving: the earliest moment a restore can reach (as GET /v1/instances/{id}/pitr); null for a standard instance or before the window opens.',
    format: 'date-time',
    type: String,
    nullable: true,
  })
  pitr_start!: string | null;

  @ApiProperty({
    description: 'Continuous archiving: the newest moment a restore can reach; null as above.',
    format: 'date-time',
    type: String,
    nullable: true,
  })
  pitr_end!: string | null;
}

export class FleetResponse {
  @ApiProperty({ description: 'Worker processes that reported themselves alive in the last 30 s.' })
  workers_alive!: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Jobs waiting in the queues (null when Redis did not answer in time).',
  })
  jobs_waiting!: number | null;

  @ApiProperty({ type: [FleetInstance] })
  instances!: FleetInstance[];
}
