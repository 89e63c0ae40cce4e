import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { OptionalButNotNull } from '../../core/validation/defined.decorator';
import { IsMoment } from '../../core/validation/moment';
import { INSTANCE_ID_PATTERN } from '../../instances/instance-id';

export const WILDCARD = '*';

export class CreateTokenDto {
  @ApiProperty({ minLength: 1, maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  /** instance ids, or ["*"] for every instance */
  @ApiProperty({
    type: 'array',
    items: { type: 'string', pattern: `^(\\*|${INSTANCE_ID_PATTERN.source.slice(1, -1)})$` },
    minItems: 1,
    maxItems: 10000,
    description: 'Instance ids, or ["*"] for every instance.',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10000)
  @IsString({ each: true })
  @Matches(new RegExp(`^(\\*|${INSTANCE_ID_PATTERN.source.slice(1, -1)})$`), {
    each: true,
    message: 'each value in instances must be an instance id or "*"',
  })
  instances!: string[];

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'When the token stops working; must lie in the future (a past time is a 422).',
  })
  @OptionalButNotNull()
  @IsMoment('expires_at')
  expires_at?: string;
}
