import { ValidateIf } from 'class-validator';

/**
 * Like @IsOptional, but only an absent field is skipped: an explicit `null` is still validated
 * (and so refused by the type check that follows).
 */
export const OptionalButNotNull = () => ValidateIf((_object, value) => value !== undefined);
