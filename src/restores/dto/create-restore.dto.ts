import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsInt, Max, Min } from 'class-validator';

export class CreateRestoreDto {
  @ApiProperty({ description: 'The integer id of the backup to restore.', minimum: 1 })
  @IsDefined({ message: 'backup_id is required: the integer id of the backup to restore' })
  @IsInt({ message: 'backup_id must be the integer id of a backup' })
  @Min(1, { message: 'backup_id must be 1 or more' })
  @Max(2147483647, { message: 'backup_id is out of range' })
  backup_id!: number;
}
