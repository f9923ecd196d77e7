import { Deb822Error, parseDeb822 } from './deb822.js';

/** One index file a Release file lists: its path under the suite's directory, size and SHA-256. */
export interface ReleaseFile {
  path: string;
  size: number;
  sha256: string;
}

/** What a suite's (verified) Release file says. */
export interface Release {
  origin: string | undefined;
  label: string | undefined;
  suite: string | undefined;
  codename: string | undefined;
  version: string | undefined;
  date: Date | undefined;
  validUntil: Date | undefined;
  acquireByHash: boolean;
  architectures: string[];
  components: string[];
  /** By path; only SHA256 sums are used (MD5 and SHA1 are not trusted for integrity). */
  files: ReadonlyMap<string, ReleaseFile>;
}

export class ReleaseError extends Error {}

function parseDate(value: string | undefined, field: string): Date | undefined {
  if (value === undefined) return undefined;
  // RFC 2822 dates ("Sat, 05 Dec 2026 03:33:28 UTC"); Date.parse reads them.
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new ReleaseError(`Release ${field} is not a date: "${value}"`);
  return new Date(ms);
}

function parseFiles(value: string | undefined): Map<string, ReleaseFile> {
  const files = new Map<string, ReleaseFile>();
  for (const line of (value ?? '').split('\n')) {
    const t = line.trim();
    if (t === '') continue;
    const m = /^([0-9a-f]{64})\s+(\d+)\s+(\S+)$/.exec(t);
    if (!m?.[1] || !m[2] || !m[3]) throw new ReleaseError(`bad SHA256 line in Release: "${t}"`);
    if (m[3].split('/').some((seg) => seg === '..' || seg === ''))
      throw new ReleaseError(`unsafe index path in Release: "${m[3]}"`);
    files.set(m[3], { path: m[3], size: Number(m[2]), sha256: m[1] });
  }
  return files;
}

/** Parses the text of a Release file (already verified and stripped of its signature). */
export function parseRelease(text: string): Release {
  let paragraphs;
  try {
    paragraphs = parseDeb822(text);
  } catch (err) {
    if (err instanceof Deb822Error) throw new ReleaseError(`Release is not deb822: ${err.message}`);
    throw err;
  }
  const p = paragraphs[0];
  if (!p || paragraphs.length !== 1) throw new ReleaseError('Release must be one paragraph');
  const words = (v: string | undefined) => (v ?? '').split(/\s+/).filter(Boolean);
  const files = parseFiles(p.get('sha256'));
  if (files.size === 0) throw new ReleaseError('Release lists no SHA256 sums');
  return {
    origin: p.get('origin'),
    label: p.get('label'),
    suite: p.get('suite'),
    codename: p.get('codename'),
    version: p.get('version'),
    date: parseDate(p.get('date'), 'Date'),
    validUntil: parseDate(p.get('valid-until'), 'Valid-Until'),
    acquireByHash: (p.get('acquire-by-hash') ?? '').toLowerCase() === 'yes',
    architectures: words(p.get('architectures')),
    components: words(p.get('components')),
    files,
  };
}

/**
 * The best index file for `base` (e.g. `main/binary-amd64/Packages`) that the Release lists:
 * xz, then gzip, then uncompressed. Undefined when it lists none.
 */
export function pickIndex(
  release: Release,
  base: string,
): (ReleaseFile & { compression: 'xz' | 'gz' | 'none' }) | undefined {
  return indexForms(release, base)[0];
}

/**
 * Every form of one index the Release lists, in the order apt tries them (xz, gz, uncompressed):
 * a mirror need not carry every form it lists, so a form it does not serve falls back to the
 * next, as apt does.
 */
export function indexForms(
  release: Release,
  base: string,
): (ReleaseFile & { compression: 'xz' | 'gz' | 'none' })[] {
  return (
    [
      ['.xz', 'xz'],
      ['.gz', 'gz'],
      ['', 'none'],
    ] as const
  ).flatMap(([ext, compression]) => {
    const f = release.files.get(base + ext);
    return f ? [{ ...f, compression }] : [];
  });
}

/** The by-hash path of an index (`main/binary-amd64/by-hash/SHA256/<sum>`), per apt's layout. */
export function byHashPath(file: ReleaseFile): string {
  const dir = file.path.includes('/') ? file.path.slice(0, file.path.lastIndexOf('/')) : '';
  return `${dir === '' ? '' : `${dir}/`}by-hash/SHA256/${file.sha256}`;
}
