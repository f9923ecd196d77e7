import {
  releaseOfOsvEcosystem,
  updateSeverityOf,
  worseUpdateSeverity,
  type UpdateSeverity,
} from '@steward/protocol';
import {
  AdvisoryFormatError,
  emptyFeed,
  isObject,
  obj,
  packageName,
  parseJson,
  str,
  strings,
  versionString,
  type ParsedFeed,
} from './parsed.js';

/**
 * OSV severity: the distributions' own words (`type: "Ubuntu"`, `score: "high"`), Debian's
 * `ecosystem_specific.urgency`, or a GHSA-style `database_specific.severity`. A bare CVSS
 * vector is not scored here (ADR 0048): the tracker's urgency covers those CVEs.
 */
function osvSeverity(record: Record<string, unknown>, path: string): UpdateSeverity {
  let s: UpdateSeverity = 'unknown';
  const list = record['severity'];
  if (Array.isArray(list)) {
    const items: unknown[] = list;
    for (const [i, item] of items.entries()) {
      const e = obj(item, `${path}.severity[${i}]`);
      const type = str(e, 'type', `${path}.severity[${i}]`);
      if (!type.startsWith('CVSS'))
        s = worseUpdateSeverity(s, updateSeverityOf(str(e, 'score', path)));
    }
  }
  const db = record['database_specific'];
  if (isObject(db) && typeof db['severity'] === 'string')
    s = worseUpdateSeverity(s, updateSeverityOf(db['severity']));
  return s;
}

function isoTime(v: string | undefined, path: string): string | null {
  if (v === undefined) return null;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new AdvisoryFormatError(`${path}: "${v}" is not an RFC 3339 time`);
  return new Date(t).toISOString();
}

function parseRecord(feed: ParsedFeed, value: unknown, path: string): void {
  const r = obj(value, path);
  const id = str(r, 'id', path);
  str(r, 'modified', path);
  const aliases = [
    ...strings(r['aliases'], `${path}.aliases`),
    ...strings(r['upstream'], `${path}.upstream`),
  ];
  const cves = [...new Set([id, ...aliases].filter((a) => /^CVE-\d{4}-\d+$/.test(a)))];
  const refs: unknown[] = Array.isArray(r['references']) ? r['references'] : [];
  const links = refs.map((ref, i) =>
    str(obj(ref, `${path}.references[${i}]`), 'url', `${path}.references[${i}]`),
  );
  let severity = osvSeverity(r, path);
  const affected: unknown[] = Array.isArray(r['affected']) ? r['affected'] : [];
  for (const [i, a] of affected.entries()) {
    const apath = `${path}.affected[${i}]`;
    const aff = obj(a, apath);
    const pkg = obj(aff['package'], `${apath}.package`);
    const release = releaseOfOsvEcosystem(str(pkg, 'ecosystem', `${apath}.package`));
    if (!release) continue; // another ecosystem (PyPI, npm ...): not a Debian package
    const name = packageName(str(pkg, 'name', `${apath}.package`), `${apath}.package.name`);
    const eco = aff['ecosystem_specific'];
    const urgency =
      isObject(eco) && typeof eco['urgency'] === 'string' ? eco['urgency'] : undefined;
    const sev = worseUpdateSeverity(severity, updateSeverityOf(urgency));
    severity = worseUpdateSeverity(severity, sev);
    const ranges: unknown[] = Array.isArray(aff['ranges']) ? aff['ranges'] : [];
    let fixed: string | null = null;
    let ranged = false;
    for (const [j, rg] of ranges.entries()) {
      const rpath = `${apath}.ranges[${j}]`;
      const range = obj(rg, rpath);
      if (str(range, 'type', rpath) !== 'ECOSYSTEM') continue;
      ranged = true;
      const events: unknown[] = Array.isArray(range['events']) ? range['events'] : [];
      for (const [k, ev] of events.entries()) {
        const f = str(obj(ev, `${rpath}.events[${k}]`), 'fixed', `${rpath}.events[${k}]`, true);
        if (f !== undefined) fixed = versionString(f, `${rpath}.events[${k}].fixed`);
      }
    }
    if (!ranged) continue;
    for (const cveId of cves.length > 0 ? cves : [id])
      feed.fixes.push({
        cveId,
        release,
        package: name,
        origin: id,
        status: fixed === null ? 'open' : 'fixed',
        fixedVersion: fixed,
        severity: sev,
      });
  }
  feed.advisories.push({
    id,
    // Debian's and Ubuntu's OSV records of their advisories keep the advisory's id.
    kind: id.startsWith('DSA-')
      ? 'dsa'
      : id.startsWith('DLA-')
        ? 'dla'
        : id.startsWith('USN-')
          ? 'usn'
          : 'osv',
    title: str(r, 'summary', path, true) ?? id,
    description: str(r, 'details', path, true) ?? '',
    severity,
    publishedAt: isoTime(str(r, 'published', path, true), `${path}.published`),
    cves,
    links,
  });
}

/**
 * OSV records (schema 1.x): one record, an array of records, or a zip of record files (read by
 * the caller). Only affected packages in a Debian or Ubuntu ecosystem (`Debian:12`,
 * `Ubuntu:22.04:LTS`) are matched; an ECOSYSTEM range's `fixed` event is the fixed version, a
 * range with no `fixed` is open (no fix released yet).
 */
export function parseOsv(texts: readonly { name: string; text: string }[]): ParsedFeed {
  const feed = emptyFeed();
  for (const { name, text } of texts) {
    const v = parseJson(text, name);
    if (Array.isArray(v)) {
      const items: unknown[] = v;
      items.forEach((item, i) => parseRecord(feed, item, `${name}[${i}]`));
    } else parseRecord(feed, v, name);
  }
  if (feed.advisories.length === 0) throw new AdvisoryFormatError('no OSV records');
  return feed;
}
