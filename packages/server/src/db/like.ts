/**
 * A case-insensitive "contains" LIKE pattern, for `lower(column) like <pattern> escape '\'`:
 * the user's `%` and `_` match literally.
 */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
