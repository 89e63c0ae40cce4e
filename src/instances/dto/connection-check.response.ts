import { ApiProperty } from '@nestjs/swagger';
import { CHECK_STEPS } from '../../engines/shared/connection-check';

export class CheckItemResponse {
  @ApiProperty({ enum: CHECK_STEPS })
  step!: string;

  @ApiProperty({
    enum: ['passed', 'failed', 'skipped', 'unknown'],
    description:
      '`skipped`: not tried because an earlier step failed; `unknown`: the server would not say.',
  })
  status!: string;

  @ApiProperty({ description: 'Whether backups of this instance need this step to pass.' })
  required!: boolean;

  @ApiProperty({ description: 'What was found, in a sentence an operator can act on.' })
  message!: string;
}

export class ConnectionCheckResponse {
  @ApiProperty({ description: 'No required step failed: the worker can back this instance up.' })
  ok!: boolean;

  @ApiProperty({ type: String, nullable: true, example: '15.4' })
  server_version!: string | null;

  @ApiProperty({ type: [CheckItemResponse] })
  checks!: CheckItemResponse[];
}
