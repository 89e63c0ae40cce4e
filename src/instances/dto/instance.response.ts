import { ApiProperty } from '@nestjs/swagger';
import type { Instance } from '../../generated/prisma/client';

export class InstanceResponse {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ enum: ['postgresql', 'mariadb', 'redis'] })
  type!: string;

  @ApiProperty({ enum: ['standard', 'continuous_archiving'] })
  backup_type!: string;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

/** An instance as operators see it: never its credentials. */
export function toInstanceResponse(i: Instance): InstanceResponse {
  return {
    id: i.id,
    name: i.name,
    type: i.type,
    backup_type: i.backupType,
    created_at: i.createdAt.toISOString(),
  };
}
