/**
 * The hostile values of the fuzz suite, one list per category, and a seeded generator so a
 * failure reproduces: the same seed gives the same cases in the same order.
 */

/** Mulberry32: small, seedable, good enough to pick representatives. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rnd: () => number, list: readonly T[]): T {
  const v = list[Math.floor(rnd() * list.length)];
  if (v === undefined) throw new Error('pick from an empty list');
  return v;
}

/** SQL, the collection query language, path traversal, template and terminal escape sequences. */
export const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE device; --",
  '" OR 1=1 --',
  "1' UNION SELECT key, value FROM site_setting --",
  'name = "x" or 1 = 1',
  'device.name like "%" or os.family != ""',
  ')) or ((1',
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '/var/lib/steward/steward.db',
  '${process.env.HOME}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '\u001b[2J\u001b]0;pwned\u0007',
  '%00%2e%2e%2f',
] as const;

/** Strings a database cannot store safely (PostgreSQL refuses NUL; a lone surrogate is not UTF-8). */
export const UNSAFE_STRINGS = [
  { label: 'NUL', value: 'fuzz\u0000nul' },
  { label: 'lone high surrogate', value: 'fuzz\uD800' },
  { label: 'lone low surrogate', value: '\uDC00fuzz' },
] as const;

/**
 * Numbers beyond what any field should take. `raw` values are written into the JSON text as is
 * (20 digits lose precision in a double; 1e999 parses to Infinity), `value` ones are JSON values.
 */
export const HOSTILE_NUMBERS: readonly ({ label: string } & (
  { raw: string; finite: boolean } | { value: unknown }
))[] = [
  { label: '1e308', value: 1e308 },
  { label: '-1', value: -1 },
  { label: '20 digits', raw: '12345678901234567890', finite: true },
  { label: '1e999 (Infinity)', raw: '1e999', finite: false },
  { label: '"Infinity"', value: 'Infinity' },
  { label: '"NaN"', value: 'NaN' },
];

/** The same, as query-string or path text. Non-finite ones must always be refused. */
export const HOSTILE_NUMBER_TEXT = [
  { text: '1e308', finite: true },
  { text: '-1', finite: true },
  { text: '12345678901234567890', finite: true },
  { text: 'Infinity', finite: false },
  { text: 'NaN', finite: false },
  { text: '1.5', finite: true },
] as const;

/** Text in a query string or a path: `%00`, and a lone surrogate's (invalid) UTF-8 bytes. */
export const UNSAFE_URL_TEXT = [
  { label: '%00', text: '%00', mustRefuse: true },
  { label: 'fuzz%00x', text: 'fuzz%00x', mustRefuse: true },
  // What a lone surrogate becomes once percent-encoded; decoders replace it, so only "no 5xx".
  { label: '%ED%A0%80', text: '%ED%A0%80', mustRefuse: false },
] as const;

/** A body of `bytes` bytes that is otherwise valid JSON. */
export function hugeJson(bytes: number): string {
  return JSON.stringify({ fuzz: 'x'.repeat(bytes) });
}
