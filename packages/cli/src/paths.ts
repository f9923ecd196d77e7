import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/cli/ (this file is src/paths.ts, or dist/paths.js once built). */
export const cliPackageRoot = fileURLToPath(new URL('..', import.meta.url));

/** The repository root, when the CLI runs from a checkout (packages/cli/../..). */
export const repoRoot = join(cliPackageRoot, '..', '..');

/** The agent's entry point in this checkout; STEWARD_AGENT_BIN overrides it. */
export function agentBinPath(env: Readonly<Record<string, string | undefined>>): string {
  const override = env['STEWARD_AGENT_BIN'];
  return override !== undefined && override !== ''
    ? override
    : join(repoRoot, 'packages', 'agent', 'bin', 'steward-agent.js');
}

let cachedVersion: string | undefined;

export function cliVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  let version = '0.0.0';
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(cliPackageRoot, 'package.json'), 'utf8'));
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'version' in parsed &&
      typeof parsed.version === 'string'
    ) {
      version = parsed.version;
    }
  } catch {
    // A missing package.json only costs the version string.
  }
  cachedVersion = version;
  return version;
}
