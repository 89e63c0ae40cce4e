import { ApiProperty } from '@nestjs/swagger';

/** The a9s backups-config body, field for field. The encryption key is never part of it. */
export class BackupsConfigResponse {
  @ApiProperty({
    description:
      'The minimum amount of backups per instance. When the amount of backups exceeds this number, the older backups will be deleted. The minimum value is 0.',
    example: 5,
  })
  min_backup_count!: number;

  @ApiProperty({
    description:
      'The retention time is measured in days and defines a time range after which backups are deleted. The minimum value is 0.',
    example: 5,
  })
  retention_time!: number;

  @ApiProperty({ description: "The minimum length of the backups' encryption key.", example: 8 })
  min_encryption_key_length!: number;

  @ApiProperty({
    description: 'States whether this instance will be excluded from scheduled backups.',
    example: false,
  })
  exclude_from_auto_backup!: boolean;

  @ApiProperty({
    description: 'The backup type of a Service Instance.',
    enum: ['standard', 'continuous_archiving'],
  })
  backup_type!: string;
}

export class InstanceUpdatedResponse {
  @ApiProperty({ example: 'instance updated' })
  message!: 'instance updated';
}

export const INSTANCE_UPDATED: InstanceUpdatedResponse = { message: 'instance updated' };
