import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode } from '@steward/protocol';
import { PushStepError } from './ssh-session.js';

/**
 * Where the agent tarball comes from. For now the build output of packages/agent
 * (`npm run package:agent`), or STEWARD_AGENT_PACKAGES_DIR; agent versions in the content
 * library replace this (issue 9, "agent versions are content").
 */
export function agentPackagesDir(): string {
  return (
    process.env.STEWARD_AGENT_PACKAGES_DIR ??
    fileURLToPath(new URL('../../../agent/dist/packages/', import.meta.url))
  );
}

const TARBALL = /^steward-agent-(.+)-linux\.tar\.gz$/;

/** The newest agent tarball: its path and version; PUSH_PACKAGE_MISSING when there is none. */
export function findAgentTarball(dir = agentPackagesDir()): { path: string; version: string } {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    names = [];
  }
  const found = names
    .map((name) => ({ name, m: TARBALL.exec(name) }))
    .filter((f) => f.m !== null)
    .map((f) => ({
      path: join(dir, f.name),
      version: f.m?.[1] ?? '',
      mtime: statSync(join(dir, f.name)).mtimeMs,
    }))
    .sort((a, b) => b.mtime - a.mtime)[0];
  if (!found)
    throw new PushStepError(
      ErrorCode.PUSH_PACKAGE_MISSING,
      `no agent tarball (steward-agent-<version>-linux.tar.gz) in ${dir}: run npm run package:agent`,
    );
  return { path: found.path, version: found.version };
}
