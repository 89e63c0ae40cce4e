import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { InvalidParametersError } from '../errors/domain-errors';
import { RejectedBody } from './json-body-parser';

/** Turns class-validator's findings into one sentence that names every offending field. */
export function describeValidationErrors(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([rule, message]) =>
      rule === 'whitelistValidation' ? `"${field}" is not a known field` : message,
    );
    return [...own, ...describeValidationErrors(e.children ?? [], field)];
  });
}

/** What class-validator found, before it is told where (body or query). */
class ValidationFindings extends Error {
  constructor(readonly findings: string[]) {
    super(findings.join('; '));
  }
}

/**
 * Validates request bodies (and query DTOs) against their DTO: the body must be a JSON object, unknown fields
 * are refused, and nothing is coerced (a "5" is not 5). Every failure is a 422.
 */
@Injectable()
export class JsonBodyPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      stopAtFirstError: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new ValidationFindings(describeValidationErrors(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && value instanceof RejectedBody) {
      throw new InvalidParametersError(value.reason);
    }
    if (
      metadata.type === 'body' &&
      (typeof value !== 'object' || value === null || Array.isArray(value))
    ) {
      throw new InvalidParametersError('The request body must be a JSON object.');
    }
    try {
      return await super.transform(value, metadata);
    } catch (err) {
      if (!(err instanceof ValidationFindings)) throw err;
      // named for where they were found
      const where = metadata.type === 'query' ? 'query parameters' : 'request body';
      throw new InvalidParametersError(`Invalid ${where}: ${err.findings.join('; ')}.`);
    }
  }
}
