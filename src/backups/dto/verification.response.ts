import { ApiProperty } from '@nestjs/swagger';
import type { Verification } from '../../generated/prisma/client';

/** The newest proof that a backup opens: restored into a scratch server, and what it held. */
export class VerificationResponse {
  @ApiProperty({ enum: ['running', 'verified', 'failed'] })
  status!: string;

  @ApiProperty({
    format: 'date-time',
    type: String,
    nullable: true,
    description:
      'When the backup was verified: the end of a verification that succeeded (null while one runs, or when it failed).',
  })
  verified_at!: string | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'How long the worker took, in milliseconds (null while it runs).',
  })
  duration_ms!: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'Tables the scratch server held after the restore (Redis: logical databases with keys).',
  })
  tables!: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Rows in those tables (Redis: keys).',
  })
  rows!: number | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why it failed (null unless failed), e.g. the table whose rows differ.',
  })
  failure_reason!: string | null;
}

export function toVerificationResponse(v: Verification): VerificationResponse {
  const ended = v.status !== 'running';
  return {
    status: v.status,
    verified_at: v.status === 'verified' ? (v.finishedAt?.toISOString() ?? null) : null,
    duration_ms: ended ? v.durationMs : null,
    tables: v.tables,
    rows: v.rows === null ? null : Number(v.rows),
    failure_reason: v.status === 'failed' ? v.failureReason : null,
  };
}
