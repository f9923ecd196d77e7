import type { PropertyType } from '../../inventory/schemas.js';
import type { Literal, LiteralValue, ResolvedProperty } from './ast.js';

export const TYPE_WORDS: Record<PropertyType, string> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  version: 'a version',
  datetime: 'a date and time',
};

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Normalises a date literal to the ISO-8601 UTC text (`toISOString()`) the inventory stores, so
 * dates compare as text on both databases. A date without a zone is UTC, like every stored time.
 */
export function normaliseDatetime(text: string): string | undefined {
  const m = ISO_DATE.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  if (y === undefined || mo === undefined || d === undefined) return undefined;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${zone.toUpperCase()}`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return undefined;
  // Reject roll-overs such as February 30th, which Date would silently accept.
  if (zone.toUpperCase() === 'Z' && date.getUTCDate() !== Number(d)) return undefined;
  return date.toISOString();
}

function name(p: ResolvedProperty): string {
  return `${p.className}.${p.property}`;
}

function literalText(v: Literal): string {
  return v.kind === 'number' ? v.raw : String(v.value);
}

/**
 * The value a literal has for a property of a given type, or why it cannot be compared with it.
 * Never converts silently: `memory.totalMb >= "3072"` is an error with a hint, not a string match.
 */
export function checkLiteral(
  p: ResolvedProperty,
  v: Literal,
  op: string,
): LiteralValue | { message: string } {
  switch (p.type) {
    case 'string':
      if (v.kind === 'string') return v.value;
      return { message: `${name(p)} is text; put the value in quotes: "${literalText(v)}"` };
    case 'number':
      if (v.kind === 'number') return v.value;
      if (v.kind === 'string' && /^-?\d+(\.\d+)?$/.test(v.value.trim())) {
        return { message: `${name(p)} is a number; remove the quotes: ${v.value.trim()}` };
      }
      return { message: `${name(p)} is a number, and ${JSON.stringify(v.value)} is not` };
    case 'boolean':
      if (op !== '=' && op !== '!=')
        return { message: `${name(p)} is true or false; compare it with = or !=` };
      if (v.kind === 'boolean') return v.value;
      return { message: `${name(p)} is true or false, not ${JSON.stringify(v.value)}` };
    case 'version':
      if (v.kind === 'string') {
        if (v.value.trim() === '')
          return { message: `an empty version cannot be compared with ${name(p)}` };
        return v.value.trim();
      }
      // A number literal would lose digits (12.10 is 12.1), so versions must be quoted.
      return { message: `${name(p)} is a version; put it in quotes: "${literalText(v)}"` };
    case 'datetime': {
      const iso = v.kind === 'string' ? normaliseDatetime(v.value) : undefined;
      if (iso !== undefined) return iso;
      return {
        message: `${name(p)} is a date and time; write it as "2026-01-31" or "2026-01-31T08:00:00Z"`,
      };
    }
  }
}
