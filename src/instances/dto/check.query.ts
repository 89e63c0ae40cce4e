import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

/** `?check=true` on registration and update: refuse (422) credentials that do not work. */
export class CheckQuery {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    default: 'false',
    description:
      'true: connect as the worker would first and refuse with 422, changing nothing, when a required step of the check fails.',
  })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'check must be true or false' })
  check?: 'true' | 'false';
}
