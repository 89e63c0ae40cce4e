import { ApiProperty } from '@nestjs/swagger';

/** One stretch of time a continuous-archiving instance can be restored to. */
export class PitrRangeResponse {
  @ApiProperty({ format: 'date-time', description: 'The end of its oldest kept base backup.' })
  start_time!: string;

  @ApiProperty({
    format: 'date-time',
    description:
      'The newest moment its write-ahead log shows, rounded up to the millisecond: a restore to it holds everything stored.',
  })
  end_time!: string;
}

/** The stretch of time a continuous-archiving instance can be restored to. */
export class PitrWindowResponse {
  @ApiProperty({
    description:
      'Where the newest range starts: the end of its oldest kept base backup (ranges lists older ones).',
    format: 'date-time',
  })
  start_time!: string;

  @ApiProperty({
    description:
      'The newest moment whose write-ahead log is in storage (its newest commit), rounded up to the millisecond: a restore to it holds everything stored.',
    format: 'date-time',
  })
  end_time!: string;

  @ApiProperty({
    type: [PitrRangeResponse],
    description:
      'Every stretch that can be restored to, oldest first; the last is start_time to end_time. Two ranges are apart where the write-ahead log has a gap: moments before it stay restorable from the base backups before it.',
  })
  ranges!: PitrRangeResponse[];
}
