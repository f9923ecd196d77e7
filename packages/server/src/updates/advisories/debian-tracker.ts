import { updateSeverityOf } from '@steward/protocol';
import {
  AdvisoryFormatError,
  emptyFeed,
  obj,
  packageName,
  parseJson,
  str,
  versionString,
  type ParsedFeed,
} from './parsed.js';

const VULN_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/**
 * The Debian security tracker's JSON (`{ "<source package>": { "<CVE id>": { description,
 * scope, releases: { "<codename>": { status, fixed_version, urgency, repositories } } } } }`).
 * `resolved` is fixed at `fixed_version` (`0`: the release was never affected); `open` is
 * affected with no fix released yet; `undetermined` says nothing and is skipped.
 */
export function parseDebianTracker(text: string): ParsedFeed {
  const root = obj(parseJson(text, 'the tracker feed'), 'the tracker feed');
  const feed = emptyFeed();
  const descriptions = new Map<string, string>();
  for (const [pkgName, cves] of Object.entries(root)) {
    const pkg = packageName(pkgName, 'package');
    feed.trackerPackages.push(pkg);
    for (const [cveId, entryValue] of Object.entries(obj(cves, pkg))) {
      const path = `${pkg}.${cveId}`;
      if (!VULN_ID.test(cveId) || cveId.length > 100)
        throw new AdvisoryFormatError(`${pkg}: "${cveId}" is not a vulnerability id`);
      const entry = obj(entryValue, path);
      const description = str(entry, 'description', path, true) ?? '';
      if (description !== '' || !descriptions.has(cveId)) descriptions.set(cveId, description);
      const releases = obj(entry['releases'], `${path}.releases`);
      for (const [release, relValue] of Object.entries(releases)) {
        const rpath = `${path}.releases.${release}`;
        const rel = obj(relValue, rpath);
        const status = str(rel, 'status', rpath);
        const severity = updateSeverityOf(str(rel, 'urgency', rpath, true));
        const base = { cveId, release, package: pkg, origin: 'tracker', severity };
        switch (status) {
          case 'resolved': {
            const fixed = versionString(str(rel, 'fixed_version', rpath), `${rpath}.fixed_version`);
            feed.fixes.push({ ...base, status: 'fixed', fixedVersion: fixed });
            break;
          }
          case 'open':
            feed.fixes.push({ ...base, status: 'open', fixedVersion: null });
            break;
          case 'undetermined':
            break;
          default:
            throw new AdvisoryFormatError(`${rpath}.status: unknown status "${status}"`);
        }
      }
    }
  }
  feed.cves = [...descriptions].map(([id, description]) => ({ id, description }));
  return feed;
}
