import { ErrorCode } from '@steward/protocol';
import type { Queryable } from '../db/database.js';
import type { ContentStore } from '../content/content-store.js';
import { filesOf } from '../agent-versions/repository.js';
import { readAgentVersionSettings } from '../agent-versions/service.js';
import type { HostFacts } from './prerequisites.js';
import { PushStepError } from './ssh-session.js';

/** A package file of the production version, as stored in the content library. */
export interface PushFile {
  name: string;
  sha256: string;
  size: number;
  /** Its bytes in the content store (single-instance storage, ADR 0007). */
  path: string;
}

/** What a push copies to one target: always the tarball, plus a single executable without Node.js 20. */
export interface PushPackage {
  version: string;
  tarball: PushFile;
  sea: PushFile | undefined;
  /** Why these files, for the attempt's log. */
  why: string;
}

/** The Node.js `process.arch` a single executable is built for, from `uname -m`. */
function nodeArch(uname: string): string {
  switch (uname) {
    case 'x86_64':
    case 'amd64':
      return 'x64';
    case 'aarch64':
    case 'arm64':
      return 'arm64';
    default:
      return uname;
  }
}

/** Why the target's Node.js does not do, for the attempt's log. */
function noSuitableNode(facts: Pick<HostFacts, 'node' | 'nodeMajor'>): string {
  if (facts.node === '') return 'no Node.js';
  // `node --version` printed nothing: the file is there but does not run.
  if (facts.nodeMajor === 0) return `${facts.node} does not run (no version)`;
  return `Node.js ${facts.nodeMajor} is older than 20`;
}

/**
 * The files to push to a target: the site's production agent version (agent-version settings)
 * from the content library, never a file from the build tree. install-agent.sh (in the tarball)
 * installs, enrols and starts the agent; where the target has no Node.js 20 or later it runs the
 * single executable for the target's architecture instead. The .deb is not pushed: it would need
 * a second install path (dpkg, then an enrolment step) for the same result; dpkg fleets install
 * it from their repository (docs/client-push.md).
 */
export async function choosePushPackage(
  db: Queryable,
  store: ContentStore,
  facts: Pick<HostFacts, 'arch' | 'node' | 'nodeMajor'>,
): Promise<PushPackage> {
  const { productionVersion: version } = await readAgentVersionSettings(db);
  if (version === null)
    throw new PushStepError(
      ErrorCode.PUSH_NO_PRODUCTION_VERSION,
      'the site has no production agent version: register one (steward agent-version add) and make it production (steward agent-version settings --production <version>)',
    );
  const files = (await filesOf(db, [version])).get(version) ?? [];
  const stored = async (kind: 'tarball' | 'sea', arch: string): Promise<PushFile | undefined> => {
    const f = files.find((x) => x.kind === kind && x.arch === arch);
    if (!f) return undefined;
    if ((await store.size(f.sha256)) !== Number(f.size))
      throw new PushStepError(
        ErrorCode.PUSH_PACKAGE_MISSING,
        `${f.name} of agent version ${version} (${f.sha256}) is not in the content library`,
      );
    return { name: f.name, sha256: f.sha256, size: Number(f.size), path: store.pathOf(f.sha256) };
  };
  const tarball = await stored('tarball', 'all');
  if (!tarball)
    throw new PushStepError(
      ErrorCode.PUSH_PACKAGE_MISSING,
      `agent version ${version} has no tarball`,
    );
  if (facts.node !== '' && facts.nodeMajor >= 20)
    return { version, tarball, sea: undefined, why: `Node.js ${facts.nodeMajor} at ${facts.node}` };
  const arch = nodeArch(facts.arch);
  const sea = await stored('sea', arch);
  if (!sea)
    throw new PushStepError(
      ErrorCode.PUSH_PACKAGE_MISSING,
      `no Node.js 20 or later on the host and agent version ${version} has no single executable for ${arch}`,
    );
  return {
    version,
    tarball,
    sea,
    why: `${noSuitableNode(facts)}: single executable for ${arch}`,
  };
}
