import {
  BackupNotFoundError,
  InstanceNotFoundError,
  RangeNotSatisfiableError,
} from '../core/errors/domain-errors';
import type { ErrorAnswer } from '../core/errors/error-answer';

/**
 * The download route's own error answer, as docs/public-api.md describes it:
 * `{"message": "...", "status": n}`, and 412 (not 404) when the instance or the backup does not
 * exist or does not match; a range outside the archive says the archive's size.
 */
export const downloadErrorAnswer: ErrorAnswer = (rendered, err) => {
  const status =
    err instanceof InstanceNotFoundError || err instanceof BackupNotFoundError
      ? 412
      : rendered.status;
  return {
    status,
    body: { message: rendered.body.description, status },
    headers:
      err instanceof RangeNotSatisfiableError
        ? { 'Content-Range': `bytes */${err.size}` }
        : undefined,
  };
};
