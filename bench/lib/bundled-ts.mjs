// Imports a bench runner written in TypeScript (the tests' own harness, the agent's own code):
// bundled by esbuild with the packages kept external. The bundle sits in bench/ so the workspace
// packages resolve and test-support finds the repo one folder up from it, as from its own file;
// it is removed once imported.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The module of `bench/lib/<name>.ts`, bundled; `root` is the repository. */
export async function importBundledTs(root, name) {
  const entry = join(root, 'bench', `.${name}-${process.pid}.mjs`);
  await build({
    entryPoints: [join(root, 'bench/lib', `${name}.ts`)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: entry,
    packages: 'external',
    absWorkingDir: root,
  });
  try {
    return await import(pathToFileURL(entry).href);
  } finally {
    rmSync(entry, { force: true });
  }
}
