import { PipeTransform } from '@nestjs/common';

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A route id that must be a UUID: anything else cannot name a record, so it is answered with
 * the record's "not found" error (built by `notFound`) before the handler runs.
 */
export class UuidPipe implements PipeTransform<string, string> {
  constructor(private readonly notFound: (rawId: string) => Error) {}

  transform(value: string): string {
    if (!UUID_PATTERN.test(value)) throw this.notFound(value);
    return value;
  }
}
