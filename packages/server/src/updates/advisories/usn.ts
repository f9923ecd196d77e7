import { updateSeverityOf } from '@steward/protocol';
import {
  AdvisoryFormatError,
  emptyFeed,
  obj,
  packageName,
  parseJson,
  str,
  strings,
  versionString,
  type ParsedFeed,
} from './parsed.js';

const USN_ID = /^(?:USN-)?(\d+-\d+)$/;

/**
 * The Ubuntu USN database JSON: `{ "<nnnn-n>": { title, summary, description, cves: [...],
 * timestamp, releases: { "<codename>": { sources: { "<source>": { version } }, binaries,
 * allbinaries } } } }`. `cves` mixes CVE ids and bug links (links are kept as links). A USN
 * names no priority of its own; an optional `priority` is read when a feed carries one.
 */
export function parseUsnDatabase(text: string): ParsedFeed {
  const root = obj(parseJson(text, 'the USN database'), 'the USN database');
  const feed = emptyFeed();
  for (const [key, value] of Object.entries(root)) {
    const m = USN_ID.exec(key);
    if (!m) throw new AdvisoryFormatError(`"${key}" is not a USN id (nnnn-n)`);
    const id = `USN-${m[1] ?? key}`;
    const usn = obj(value, key);
    const refs = strings(usn['cves'], `${key}.cves`);
    const cves = refs.filter((r) => !/^https?:/.test(r));
    const links = refs.filter((r) => /^https?:/.test(r));
    const timestamp = usn['timestamp'];
    if (timestamp !== undefined && typeof timestamp !== 'number')
      throw new AdvisoryFormatError(`${key}.timestamp is not a number`);
    const severity = updateSeverityOf(str(usn, 'priority', key, true));
    feed.advisories.push({
      id,
      kind: 'usn',
      title: str(usn, 'title', key),
      description: str(usn, 'summary', key, true) ?? str(usn, 'description', key, true) ?? '',
      severity,
      publishedAt: timestamp === undefined ? null : new Date(timestamp * 1000).toISOString(),
      cves,
      links,
    });
    const releases = obj(usn['releases'], `${key}.releases`);
    for (const [release, relValue] of Object.entries(releases)) {
      const rpath = `${key}.releases.${release}`;
      const rel = obj(relValue, rpath);
      if (rel['sources'] === undefined) continue;
      for (const [src, srcValue] of Object.entries(obj(rel['sources'], `${rpath}.sources`))) {
        const spath = `${rpath}.sources.${src}`;
        const version = versionString(str(obj(srcValue, spath), 'version', spath), spath);
        for (const cveId of cves.length > 0 ? cves : [id])
          feed.fixes.push({
            cveId,
            release,
            package: packageName(src, spath),
            origin: id,
            status: 'fixed',
            fixedVersion: version,
            severity,
          });
      }
    }
  }
  return feed;
}
