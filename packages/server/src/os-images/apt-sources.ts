import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Debian mirror this machine's apt uses (ADR 0093): the first `deb` source of a release
 * suite (not `-security`, `-updates` or `-backports`) in `<dir>/sources.list`, then in
 * `<dir>/sources.list.d/*.list` and `*.sources` (deb822) in name order. Undefined when none.
 */
export function aptDebianMirror(dir = '/etc/apt'): string | undefined {
  const files: string[] = [join(dir, 'sources.list')];
  try {
    const names = readdirSync(join(dir, 'sources.list.d')).sort();
    for (const n of names)
      if (n.endsWith('.list') || n.endsWith('.sources')) files.push(join(dir, 'sources.list.d', n));
  } catch {
    // no sources.list.d
  }
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const found = file.endsWith('.sources') ? fromDeb822(text) : fromOneLine(text);
    if (found) return found;
  }
  return undefined;
}

const releaseSuite = (suite: string) =>
  !/-(security|updates|backports|proposed-updates)$/.test(suite);
const usable = (uri: string) => /^(https?|file):\/\/\S+$/.test(uri);

/** `deb [options] URI SUITE COMPONENT...` lines. */
export function fromOneLine(text: string): string | undefined {
  for (const raw of text.split('\n')) {
    const line = raw
      .replace(/#.*/, '')
      .replace(/\[[^\]]*\]/, ' ')
      .trim();
    const [type, uri, suite] = line.split(/\s+/);
    if (type === 'deb' && uri && suite && usable(uri) && releaseSuite(suite))
      return uri.replace(/\/$/, '');
  }
  return undefined;
}

/** deb822 stanzas: `Types: deb`, `URIs: ...`, `Suites: ...`, `Enabled: no` skips one. */
export function fromDeb822(text: string): string | undefined {
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const raw of stanza.split('\n')) {
      if (raw.startsWith('#')) continue;
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(raw);
      if (m?.[1] && m[2] !== undefined) fields.set(m[1].toLowerCase(), m[2].trim());
    }
    const types = (fields.get('types') ?? '').split(/\s+/);
    if (!types.includes('deb') || fields.get('enabled')?.toLowerCase() === 'no') continue;
    const suites = (fields.get('suites') ?? '').split(/\s+/).filter((s) => s !== '');
    if (!suites.some(releaseSuite)) continue;
    const uri = (fields.get('uris') ?? '').split(/\s+/).find(usable);
    if (uri) return uri.replace(/\/$/, '');
  }
  return undefined;
}
