// What a bin (packages/cli/bin/steward.js, packages/agent/bin/steward-agent.js) runs: the
// esbuild bundle of scripts/bundle.mjs when it is at least as new as the tsc build of every
// package it holds, else the package's dist/ entry as tsc wrote it (a build after the last
// bundle, or no bundle at all). ADR 0090: the bundle starts in about half the time.
// STEWARD_NO_BUNDLE=1 runs dist/ regardless (to compare, or to debug with per-file sources).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));

/**
 * The bundles: entry (tsc output), outdir (beside it) and outfile (the entry's bundle in it), the
 * packages whose tsc output it holds, and whether code loaded by `import()` is split into chunks
 * of its own (the CLI: the site server loads only for `steward server` and `up`, ADR 0013).
 */
export const BUNDLES = {
  cli: {
    entry: 'packages/cli/dist/cli.js',
    outdir: 'packages/cli/dist/bundle',
    outfile: 'packages/cli/dist/bundle/steward.mjs',
    sources: ['protocol', 'server', 'cli'],
    splitting: true,
  },
  agent: {
    entry: 'packages/agent/dist/cli.js',
    outdir: 'packages/agent/dist/bundle',
    outfile: 'packages/agent/dist/bundle/steward-agent.mjs',
    sources: ['protocol', 'agent'],
    splitting: false,
  },
};

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * The file a bin should import: the fresh bundle, or dist. `root` and `env` are the checkout and
 * the environment (parameters for the tests).
 */
export function entryFor({ entry, outfile, sources }, root = REPO, env = process.env) {
  const bundled = env.STEWARD_NO_BUNDLE === '1' ? undefined : mtime(join(root, outfile));
  const fresh =
    bundled !== undefined &&
    sources.every(
      (p) => (mtime(join(root, 'packages', p, 'tsconfig.tsbuildinfo')) ?? 0) <= bundled,
    );
  return join(root, fresh ? outfile : entry);
}

export async function runBin(bundle) {
  await import(pathToFileURL(entryFor(bundle)).href);
}
