import { ApiProperty } from '@nestjs/swagger';

/** A queued or running backup and how far its worker has come. */
export class BackupProgress {
  @ApiProperty({ description: "The backup's id within its instance." })
  id!: number;

  @ApiProperty({ enum: ['queued', 'running'] })
  status!: string;

  @ApiProperty({
    description: "The dump's bytes read so far; null until the worker's first report.",
    type: Number,
    nullable: true,
  })
  bytes_read!: number | null;

  @ApiProperty({
    description: "The archive's bytes written so far; null until the worker's first report.",
    type: Number,
    nullable: true,
  })
  bytes_written!: number | null;

  @ApiProperty({
    description:
      "An estimate of the archive's final size: the size of the instance's newest done backup; null when it has none.",
    type: Number,
    nullable: true,
  })
  expected_bytes!: number | null;
}

/** A queued or running restore and how far its worker has come. */
export class RestoreProgress {
  @ApiProperty({ description: "The restore's id within its instance." })
  id!: number;

  @ApiProperty({ description: 'The id of the backup it puts back.' })
  backup_id!: number;

  @ApiProperty({ enum: ['queued', 'running'] })
  status!: string;

  @ApiProperty({
    description: "The archive's bytes read so far; null until the worker's first report.",
    type: Number,
    nullable: true,
  })
  bytes_read!: number | null;

  @ApiProperty({ description: "The archive's size: bytes_read reaches it at the end." })
  size!: number;

  @ApiProperty({
    description:
      'A fork of another instance into this one: that instance (whose ids `id` and `backup_id` are); null for its own.',
    type: String,
    nullable: true,
  })
  source_instance_id!: string | null;
}

/** The work under way on an instance, for a progress bar; reported by workers every second. */
export class ProgressResponse {
  @ApiProperty({ type: [BackupProgress] })
  backups!: BackupProgress[];

  @ApiProperty({ type: [RestoreProgress] })
  restores!: RestoreProgress[];
}
