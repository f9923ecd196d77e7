import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Paragraph } from '../apt/deb822.js';
import { binaryFromParagraph } from '../apt/packages-index.js';
import { download, fetchRelease, findIndex, readIndex } from '../apt/repository-client.js';
import { sourceLists, type SourceRow } from '../repository.js';
import { withKeyring } from '../sync-runner.js';
import type { SiteRepoKey } from './site-repo-key.js';

/** One approved binary package version, from the source whose catalog listed it. */
export interface ApprovedBinary {
  sourceId: string;
  package: string;
  version: string;
  architecture: string;
}

/** What a build put in the repository, and what it could not find in its source. */
export interface ApprovedRepository {
  /** Files written under the output folder (relative paths). */
  files: string[];
  included: ApprovedBinary[];
  missing: ApprovedBinary[];
}

const keyOf = (b: { sourceId: string; package: string; version: string; architecture: string }) =>
  `${b.sourceId}\t${b.package}\t${b.version}\t${b.architecture}`;

/** deb822 field names are case-insensitive; they are written back in their usual form. */
function fieldName(lower: string): string {
  if (lower === 'md5sum') return 'MD5sum';
  if (lower === 'sha256' || lower === 'sha1' || lower === 'sha512') return lower.toUpperCase();
  return lower.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

/** A Packages paragraph as text, its Filename pointing into the approved repository's pool. */
function paragraphText(p: Paragraph, filename: string): string {
  const lines: string[] = [];
  for (const [name, value] of p) {
    const v = name === 'filename' ? filename : value;
    const [first = '', ...rest] = v.split('\n');
    lines.push(`${fieldName(name)}: ${first}`, ...rest.map((l) => ` ${l === '' ? '.' : l}`));
  }
  return lines.join('\n') + '\n';
}

/**
 * Builds, in `outDir`, a flat apt repository (`deb [signed-by=<site key>] <url> ./`) holding
 * exactly the approved binary versions (ADR 0050): each .deb is fetched from its update source
 * only after the source's Release was verified against the source's keyring and the Packages
 * index against that Release, and is refused unless its size and SHA-256 are what that index
 * lists. The Packages index and Release are then written and clear-signed (InRelease) with the
 * site's own key, so an agent's apt accepts the approved content and nothing else.
 */
export async function buildApprovedRepository(o: {
  sources: ReadonlyMap<string, SourceRow>;
  binaries: readonly ApprovedBinary[];
  outDir: string;
  key: SiteRepoKey;
  now: Date;
}): Promise<ApprovedRepository> {
  const wanted = new Map(o.binaries.map((b) => [keyOf(b), b]));
  const paragraphs: string[] = [];
  const included: ApprovedBinary[] = [];
  await mkdir(join(o.outDir, 'pool'), { recursive: true });
  const files: string[] = [];
  for (const [sourceId, source] of o.sources) {
    if (![...wanted.values()].some((b) => b.sourceId === sourceId)) continue;
    await withKeyring(source.keyring, async (keyringFile) => {
      const loc = { url: source.url, suite: source.suite, keyringFile };
      const verified = await fetchRelease(loc, o.now);
      const { components, architectures } = sourceLists(source);
      for (const component of components)
        for (const arch of architectures) {
          const index = findIndex(verified, `${component}/binary-${arch}/Packages`);
          if (!index) continue;
          for await (const p of readIndex(loc, verified, index)) {
            const b = binaryFromParagraph(p);
            const k = keyOf({ sourceId, ...b });
            const approved = wanted.get(k);
            if (!approved || b.filename === undefined || b.sha256 === undefined) continue;
            if (b.size === undefined) continue;
            wanted.delete(k);
            // The pool name carries the hash: two sources' files of one name cannot collide.
            const poolName = `pool/${b.sha256.slice(0, 12)}-${basename(b.filename)}`;
            await download(
              `${source.url.replace(/\/+$/, '')}/${b.filename}`,
              { size: b.size, sha256: b.sha256 },
              join(o.outDir, poolName),
            );
            files.push(poolName);
            paragraphs.push(paragraphText(p, poolName));
            included.push(approved);
          }
        }
    });
  }
  const packages = paragraphs.join('\n');
  await writeFile(join(o.outDir, 'Packages'), packages);
  const release = releaseText(Buffer.from(packages), o.now);
  await writeFile(join(o.outDir, 'Release'), release);
  await o.key.clearSign(join(o.outDir, 'Release'), join(o.outDir, 'InRelease'));
  files.push('Packages', 'Release', 'InRelease');
  return { files, included, missing: [...wanted.values()] };
}

function releaseText(packages: Buffer, now: Date): string {
  const sha = createHash('sha256').update(packages).digest('hex');
  return [
    'Origin: Steward',
    'Label: Steward approved updates',
    `Date: ${now.toUTCString()}`,
    'SHA256:',
    ` ${sha} ${packages.length} Packages`,
    '',
  ].join('\n');
}
