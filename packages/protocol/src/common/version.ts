/**
 * Debian package version ordering (deb-version(7)), as `dpkg --compare-versions` does it, and a
 * sort key with the same ordering under plain byte comparison, so that SQL can compare versions
 * (`version_key >= ?`) on SQLite (BINARY) and PostgreSQL (COLLATE "C") without a custom function.
 */

interface ParsedVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

/** Splits `[epoch:]upstream[-revision]`. Never throws; odd input is compared as text. */
export function parseDebianVersion(version: string): ParsedVersion {
  let rest = version.trim();
  let epoch = 0;
  const colon = rest.indexOf(':');
  if (colon > 0 && /^\d+$/.test(rest.slice(0, colon))) {
    epoch = Number(rest.slice(0, colon));
    rest = rest.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  if (dash > 0) return { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) };
  return { epoch, upstream: rest, revision: '' };
}

function charOrder(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function compareFragment(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = i < a.length && !isDigit(a[i]) ? charOrder(a[i]) : 0;
      const bc = j < b.length && !isDigit(b[j]) ? charOrder(b[j]) : 0;
      if (ac !== bc) return ac - bc;
      if (i < a.length && !isDigit(a[i])) i++;
      if (j < b.length && !isDigit(b[j])) j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

/** Compares two Debian versions: negative, zero or positive like `dpkg --compare-versions`. */
export function compareDebianVersions(a: string, b: string): number {
  const pa = parseDebianVersion(a);
  const pb = parseDebianVersion(b);
  if (pa.epoch !== pb.epoch) return pa.epoch - pb.epoch;
  const up = compareFragment(pa.upstream, pb.upstream);
  if (up !== 0) return up;
  return compareFragment(pa.revision || '0', pb.revision || '0');
}

// Key alphabet (all printable, so it is safe in any text column):
//   '!' = '~' (sorts before the end of a part), '"' = end of a non-digit run,
//   letters as themselves, other characters mapped above 'z' in their ASCII order.
function keyChar(c: string): string {
  if (c === '~') return '!';
  if (/[A-Za-z]/.test(c)) return c;
  const code = c.charCodeAt(0);
  // '+'(43) '-'(45) '.'(46) ':'(58) ... -> '{' and upward, order preserved.
  return String.fromCharCode(Math.min(0x7b + Math.max(0, code - 43), 0x2fff));
}

function fragmentKey(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    let nonDigit = '';
    while (i < s.length && !isDigit(s[i])) nonDigit += keyChar(s[i++] ?? '');
    let digits = '';
    while (i < s.length && isDigit(s[i])) digits += s[i++] ?? '';
    digits = digits.replace(/^0+/, '');
    // A length prefix makes numeric order equal to byte order.
    out += nonDigit + '"' + String.fromCharCode(0x30 + digits.length) + digits;
  }
  return out + '"';
}

/**
 * A string whose byte order equals Debian version order. Equal versions (`1.0` and `1.00`,
 * `1.0` and `0:1.0-0`) get equal keys.
 */
export function debianVersionKey(version: string): string {
  const p = parseDebianVersion(version);
  const epoch = String(p.epoch);
  return (
    String.fromCharCode(0x30 + epoch.length) +
    epoch +
    fragmentKey(p.upstream) +
    '|' +
    fragmentKey(p.revision || '0')
  );
}
