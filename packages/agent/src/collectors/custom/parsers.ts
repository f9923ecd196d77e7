import type { PropertyType, PropertyValue } from '@steward/protocol';

function unquote(value: string): string {
  const v = value.trim();
  const q = v[0];
  if ((q === '"' || q === "'") && v.length >= 2 && v.endsWith(q)) return v.slice(1, -1);
  return v;
}

/** `KEY=value` lines (shell-style quotes stripped; `export ` prefix and `#` comments ignored). `KEY: value` is accepted too. */
export function parseKeyValue(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim().replace(/^export\s+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const eq = line.indexOf('=');
    const colon = line.indexOf(':');
    const at = eq > 0 ? eq : colon > 0 ? colon : -1;
    if (at <= 0) continue;
    out.set(line.slice(0, at).trim(), unquote(line.slice(at + 1)));
  }
  return out;
}

/** INI: `[section]` headers and `key = value` lines; keys come out as `section.key` (or `key` before any section). */
export function parseIni(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header?.[1] !== undefined) {
      section = header[1].trim();
      continue;
    }
    const eq = line.search(/[=:]/);
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    out.set(section === '' ? key : `${section}.${key}`, unquote(line.slice(eq + 1)));
  }
  return out;
}

/** Dotted path into parsed JSON: `a.b.0.c` (or `a.b[0].c`); empty path is the root. */
export function getPath(root: unknown, path: string): unknown {
  const parts = path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((p) => p !== '' && p !== '$');
  let current: unknown = root;
  for (const part of parts) {
    if (Array.isArray(current)) {
      const index = Number(part);
      if (!Number.isInteger(index)) return undefined;
      current = current[index];
    } else if (typeof current === 'object' && current !== null) {
      current = Object.entries(current).find(([k]) => k === part)?.[1];
    } else {
      return undefined;
    }
  }
  return current;
}

const TRUE_WORDS = new Set(['true', 'yes', 'y', 'on', '1', 'enabled', 'enable']);
const FALSE_WORDS = new Set(['false', 'no', 'n', 'off', '0', 'disabled', 'disable']);

function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (text === '') return null;
  const whole = Number(text);
  if (Number.isFinite(whole)) return whole;
  // "42 kB", "3.5GHz": the leading number.
  const lead = /^[-+]?\d+(?:\.\d+)?/.exec(text);
  return lead === null ? null : Number.parseFloat(lead[0]);
}

/** Coerces a collected value to the declared property type; `null` when it cannot be. */
export function coerceValue(value: unknown, type: PropertyType): PropertyValue {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return JSON.stringify(value);
    case 'number':
      return toNumber(value);
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (typeof value === 'number') return value !== 0;
      if (typeof value !== 'string') return null;
      const word = value.trim().toLowerCase();
      return TRUE_WORDS.has(word) ? true : FALSE_WORDS.has(word) ? false : null;
    }
    case 'version':
      if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
      if (typeof value === 'number') return String(value);
      return null;
    case 'datetime': {
      let date: Date | undefined;
      // Numbers are epoch seconds, or milliseconds when large.
      if (typeof value === 'number') date = new Date(value < 1e11 ? value * 1000 : value);
      else if (typeof value === 'string' && value.trim() !== '') {
        const n = Number(value.trim());
        date = Number.isFinite(n) ? new Date(n < 1e11 ? n * 1000 : n) : new Date(value.trim());
      }
      return date === undefined || Number.isNaN(date.getTime()) ? null : date.toISOString();
    }
  }
}
