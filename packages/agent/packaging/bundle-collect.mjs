#!/usr/bin/env node
// Bundles the agent's collection process (dist/collect-main.js) into steward-collect.mjs, the
// file collect-process.ts starts instead of `steward-agent.mjs __collect-inventory` when it lies
// beside the agent's bundle. bundle.sh runs it for the esm format (.deb, tarball), after tsc.
//
//   node packages/agent/packaging/bundle-collect.mjs <outfile> <version>
//
// The protocol's files are marked free of side effects for this bundle only, so esbuild keeps
// just the schemas the collectors import instead of the whole protocol (its TypeBox schemas
// are most of what the full bundle spends starting up; compare ADR 0064's protocol/scan).
import { build } from 'esbuild';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const protocolDist = join(pkg, '..', 'protocol', 'dist') + sep;
const [outfile, version] = process.argv.slice(2);
if (!outfile || !version) {
  console.error('usage: bundle-collect.mjs <outfile> <version>');
  process.exit(2);
}

/** Marks every module of packages/protocol/dist as side-effect free (tree-shaken by file). */
const protocolWithoutSideEffects = {
  name: 'protocol-without-side-effects',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      const r = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'resolving',
      });
      if (r.errors.length > 0 || !r.path.startsWith(protocolDist)) return undefined;
      return { path: r.path, sideEffects: false };
    });
  },
};

await build({
  entryPoints: [join(pkg, 'dist', 'collect-main.js')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile,
  define: { STEWARD_AGENT_VERSION_OVERRIDE: JSON.stringify(version) },
  banner: {
    js: `import { createRequire as __stewardCreateRequire } from 'node:module'; const require = __stewardCreateRequire(import.meta.url);`,
  },
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [protocolWithoutSideEffects],
});
