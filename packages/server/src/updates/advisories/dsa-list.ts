import type { AdvisoryKind } from '@steward/protocol';
import {
  AdvisoryFormatError,
  emptyFeed,
  packageName,
  versionString,
  type ParsedAdvisory,
  type ParsedFeed,
} from './parsed.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const HEADER =
  /^\[(\d{1,2}) ([A-Z][a-z]{2}) (\d{4})\] ((?:DSA|DLA)-[0-9]+(?:-[0-9]+)?) (\S+) - (.*)$/;
const CVES = /^\s+\{([^}]*)\}\s*$/;
const FIX = /^\s+\[([a-z-]+)\] - (\S+) (\S+)(?:\s.*)?$/;

function isoDate(day: string, month: string, year: string, line: number): string {
  const m = MONTHS.indexOf(month);
  if (m < 0) throw new AdvisoryFormatError(`line ${line}: unknown month "${month}"`);
  return new Date(Date.UTC(Number(year), m, Number(day))).toISOString();
}

/**
 * The security tracker's `data/DSA/list` and `data/DLA/list`:
 *
 *     [21 Nov 2024] DSA-5815-1 needrestart - security update
 *         {CVE-2024-48990 CVE-2024-48991}
 *         [bookworm] - needrestart 3.6-4+deb12u2
 *         NOTE: ...
 *
 * A fix line whose version is `<not-affected>` (or another `<...>` mark) says the release
 * needs nothing and is skipped. Advisories fix what they list; they carry no severity.
 */
export function parseDsaList(text: string, kind: Extract<AdvisoryKind, 'dsa' | 'dla'>): ParsedFeed {
  const feed = emptyFeed();
  let current: ParsedAdvisory | undefined;
  let fixes: { release: string; package: string; version: string }[] = [];
  const flush = () => {
    if (!current) return;
    const a = current;
    feed.advisories.push(a);
    for (const f of fixes)
      for (const cveId of a.cves.length > 0 ? a.cves : [a.id])
        feed.fixes.push({
          cveId,
          release: f.release,
          package: f.package,
          origin: a.id,
          status: 'fixed',
          fixedVersion: f.version,
          severity: 'unknown',
        });
  };
  const prefix = kind === 'dsa' ? 'DSA-' : 'DLA-';
  for (const [i, raw] of text.split('\n').entries()) {
    const line = i + 1;
    if (raw.trim() === '') continue;
    const h = HEADER.exec(raw);
    if (h) {
      flush();
      const [, day = '', month = '', year = '', id = '', pkg = '', title = ''] = h;
      if (!id.startsWith(prefix))
        throw new AdvisoryFormatError(`line ${line}: ${id} in a ${kind.toUpperCase()} list`);
      packageName(pkg, `line ${line}`);
      current = {
        id,
        kind,
        title: `${pkg} - ${title}`,
        description: '',
        severity: 'unknown',
        publishedAt: isoDate(day, month, year, line),
        cves: [],
        links: [],
      };
      fixes = [];
      continue;
    }
    if (!current)
      throw new AdvisoryFormatError(`line ${line}: expected "[dd Mon yyyy] ${prefix}nnnn-n ..."`);
    const c = CVES.exec(raw);
    if (c) {
      current.cves.push(...(c[1] ?? '').split(/\s+/).filter((w) => w !== ''));
      continue;
    }
    const f = FIX.exec(raw);
    if (f) {
      const [, release = '', pkg = '', version = ''] = f;
      if (version.startsWith('<')) continue;
      fixes.push({
        release,
        package: packageName(pkg, `line ${line}`),
        version: versionString(version, `line ${line}`),
      });
      continue;
    }
    if (/^\s+(NOTE|TODO):/.test(raw)) continue;
    throw new AdvisoryFormatError(`line ${line}: not a line of a ${kind.toUpperCase()} list`);
  }
  flush();
  return feed;
}
