import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsString,
  MaxLength,
  MinLength,
} from 'class-validator';
import { OptionalButNotNull } from '../../core/validation/defined.decorator';
import { WEBHOOK_EVENTS } from '../webhook-events';

export class CreateWebhookDto {
  @ApiProperty({
    description:
      'Where deliveries are POSTed: an http(s) URL without credentials (the signature authenticates each delivery).',
    maxLength: 2048,
    example: 'https://hooks.example.com/backups',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  url!: string;

  @ApiProperty({
    type: 'array',
    items: { type: 'string', enum: [...WEBHOOK_EVENTS] },
    minItems: 1,
    uniqueItems: true,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENTS.length)
  @ArrayUnique({ message: 'events must not repeat an event' })
  @IsIn(WEBHOOK_EVENTS, {
    each: true,
    message: `each value in events must be one of ${WEBHOOK_EVENTS.join(', ')}`,
  })
  events!: string[];

  @ApiPropertyOptional({
    description:
      'The signing secret (16 to 256 characters); generated and shown once in the answer when absent. Never returned again.',
    writeOnly: true,
    minLength: 16,
    maxLength: 256,
  })
  @OptionalButNotNull()
  @IsString()
  @MinLength(16, { message: 'secret must be at least 16 characters long' })
  @MaxLength(256)
  secret?: string;
}
