import { ApiProperty } from '@nestjs/swagger';

/** The stretch of time a continuous-archiving instance can be restored to. */
export class PitrWindowResponse {
  @ApiProperty({
    description: 'The earliest moment a restore can reach: the end of the oldest kept base backup.',
    format: 'date-time',
  })
  start_time!: string;

  @ApiProperty({
    description: 'The newest moment whose write-ahead log is in storage (its newest commit).',
    format: 'date-time',
  })
  end_time!: string;
}
