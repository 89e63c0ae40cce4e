import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { InvalidParametersError } from '../errors/domain-errors';
import { RejectedBody } from './json-body-parser';

/**
 * The rules that say what a field is (present, of its type, known at all): when one of them
 * fails, the value's range or length means nothing, so only that one is reported ("backup_id
 * must be an integer", not "out of range", for "1").
 */
const WHAT_IT_IS = /^(whitelistValidation|isDefined|is[A-Z]\w*)$/;

const rank = (rule: string) => (rule === 'whitelistValidation' ? 0 : rule === 'isDefined' ? 1 : 2);

/** Turns class-validator's findings into one sentence that names every offending field. */
export function describeValidationErrors(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const failed = Object.entries(e.constraints ?? {});
    const basic = failed
      .filter(([rule]) => WHAT_IT_IS.test(rule))
      // unknown, then missing, then of the wrong type
      .sort(([a], [b]) => rank(a) - rank(b));
    const own = (basic.length > 0 ? basic.slice(0, 1) : failed).map(([rule, message]) =>
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
      // every rule runs; describeValidationErrors reports the one that matters
      stopAtFirstError: false,
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
