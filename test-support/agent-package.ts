import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ops, type ApiClient } from '@steward/protocol';
import { REPO } from './site.js';

/** Where `npm run package:agent` and build-tarball.sh put the agent packages. */
export const AGENT_PACKAGES = join(REPO, 'packages/agent/dist/packages');
const TARBALL = /^steward-agent-(.+)-linux\.tar\.gz$/;

function tarballName(): string | undefined {
  if (!existsSync(AGENT_PACKAGES)) return undefined;
  return readdirSync(AGENT_PACKAGES).find((f) => TARBALL.test(f));
}

/** Builds the agent tarball once if the tree has none; its file name, or undefined. */
export function ensureAgentTarball(): string | undefined {
  if (tarballName() === undefined) {
    const script = join(REPO, 'packages/agent/packaging/build-tarball.sh');
    if (existsSync(script)) spawnSync('bash', [script], { cwd: REPO, stdio: 'inherit' });
  }
  return tarballName();
}

/**
 * Makes the built agent tarball the site's production agent version (client push copies the
 * production version from the content library): uploads it, registers a version holding only
 * the tarball (targets in tests have Node.js 20) and sets it as production. Returns the version.
 */
export async function makeTarballProduction(api: ApiClient): Promise<string> {
  const name = ensureAgentTarball();
  const version = name === undefined ? undefined : TARBALL.exec(name)?.[1];
  if (name === undefined || version === undefined) throw new Error('no agent tarball built');
  const bytes = readFileSync(join(AGENT_PACKAGES, name));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await api.uploadContentFile(sha256, bytes);
  await api.call(ops.agentVersions.register, {
    body: {
      name: 'steward-agent',
      version,
      files: [{ name, kind: 'tarball', arch: 'all', sha256, size: bytes.length }],
    },
  });
  await api.call(ops.agentVersions.updateSettings, { body: { productionVersion: version } });
  return version;
}
