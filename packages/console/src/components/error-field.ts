/**
 * Where a site error points in a form. Software and deployment errors carry
 * `details: { field: 'expiresAt' | 'triggers[0].start' | ... }`; INVALID_INPUT from schema
 * validation carries `details: [{ path: '/maxRunMinutes', ... }]`. Returns the top-level field
 * name (`triggers` for `triggers[0].start`), or undefined.
 */
export function errorField(details: unknown): string | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  if (Array.isArray(details)) {
    const first: unknown = details[0];
    if (typeof first !== 'object' || first === null) return undefined;
    const path: unknown = Reflect.get(first, 'path');
    if (typeof path !== 'string') return undefined;
    return path.split('/')[1] || undefined;
  }
  const field: unknown = Reflect.get(details, 'field');
  if (typeof field !== 'string') return undefined;
  return /^[A-Za-z]+/.exec(field)?.[0];
}
