/**
 * The field an API refusal is about: the first of `fields` its sentence names (the API's 422s
 * name the field), else `fallback` (a failed connection check is about the connection).
 */
export function fieldOf(message: string, fields: string[], fallback = 'form'): string {
  return fields.find((f) => new RegExp(`\\b${f}\\b`).test(message)) ?? fallback;
}

/** The refusal shown under its field, which names it (`aria-describedby="<field>-error"`). */
export function FieldError({ field, errors }: { field: string; errors: Record<string, string> }) {
  if (!errors[field]) return null;
  return (
    <p id={`${field}-error`} class="error" role="alert">
      {errors[field]}
    </p>
  );
}

/** What a field's `aria-describedby` is while it has an error. */
export const describedBy = (field: string, errors: Record<string, string>) =>
  errors[field] ? `${field}-error` : undefined;
