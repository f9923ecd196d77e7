#!/usr/bin/env node
// Bundles the built CLI (which holds the site server: `steward server`) and the agent into one
// ES module each with esbuild, from the tsc output in dist/ (ADR 0090). Loading ~1,850 module
// files was 55-70 % of a server's start; one bundle loads in about half the time. The bins
// (packages/cli/bin/steward.js, packages/agent/bin/steward-agent.js) run the bundle when it is at
// least as new as the build it came from (bin-entry.mjs), else dist/ as before.
//
//   node scripts/bundle.mjs              (both; `npm run build` runs it after tsc)
//   node scripts/bundle.mjs --if-stale   (only those older than their tsc build: the int and
//                                         e2e global setup, so tests run what dist/ holds)
//
// Bundled code keeps the paths the files had in the tree: every `import.meta.url`, `__dirname`
// and `__filename` of a bundled file becomes the URL or path of that file relative to the
// bundle (assets, the console's dist, package.json, `createRequire` resolution), so the checkout
// stays relocatable. Native addons, optional native helpers and packages that serve files from
// beside their own sources stay external and load from node_modules as before.
import { build } from 'esbuild';
import { readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLES, entryFor } from './bin-entry.mjs';

const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** What is not bundled: native addons (and the packages that load them) and optional helpers. */
const EXTERNAL = [
  'better-sqlite3',
  'pg-native',
  // Loads its optional native crypto binding by a path relative to its own lib/.
  'ssh2',
  'bufferutil',
  'utf-8-validate',
  '*.node',
  // Serves its own static/ folder by __dirname-relative paths it builds at run time.
  '@fastify/swagger-ui',
];

const BANNER = `#!/usr/bin/env node
import { createRequire as __stewardCreateRequire } from 'node:module';
import { fileURLToPath as __stewardFileURLToPath } from 'node:url';
const require = __stewardCreateRequire(import.meta.url);
const __stewardUrl = (rel) => new URL(rel, import.meta.url).href;
const __stewardPath = (rel) => __stewardFileURLToPath(new URL(rel, import.meta.url));`;

/** Rewrites each bundled file's own location (import.meta.url, __dirname, __filename). */
function ownLocation(outDir) {
  return {
    name: 'own-location',
    setup(b) {
      b.onLoad({ filter: /\.(c|m)?js$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        const hasMeta = text.includes('import.meta.url');
        const hasDir = /\b__(dirname|filename)\b/.test(text);
        if (!hasMeta && !hasDir) return undefined;
        const rel = relative(outDir, args.path).split('\\').join('/');
        const relDir = relative(outDir, dirname(args.path)).split('\\').join('/') || '.';
        let contents = hasMeta
          ? text.replaceAll('import.meta.url', `__stewardUrl(${JSON.stringify(rel)})`)
          : text;
        if (hasDir)
          contents =
            `var __filename = __stewardPath(${JSON.stringify(rel)}), ` +
            `__dirname = __stewardPath(${JSON.stringify(`${relDir}/`)}).replace(/\\/$/, '');\n` +
            contents;
        return { contents, loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}

/**
 * Builds one bundle into a new folder, then swaps it in for the old one (chunks have hashed
 * names: nothing stale stays, and a bin never loads half a build).
 */
export async function bundle(name) {
  const { entry, outdir, outfile, splitting } = BUNDLES[name];
  const out = join(REPO, outdir);
  const tmp = `${out}.${process.pid}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await build({
    entryPoints: { [basename(outfile, '.mjs')]: join(REPO, entry) },
    bundle: true,
    splitting,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir: tmp,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
    external: EXTERNAL,
    banner: { js: BANNER },
    plugins: [ownLocation(out)],
    legalComments: 'none',
    logLevel: 'warning',
  });
  await rm(out, { recursive: true, force: true });
  await rename(tmp, out);
  return join(REPO, outfile);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ifStale = process.argv.includes('--if-stale');
  const names = process.argv.slice(2).filter((a) => a !== '--if-stale');
  for (const name of names.length > 0 ? names : Object.keys(BUNDLES)) {
    const b = BUNDLES[name];
    if (!b)
      throw new Error(`bundle.mjs: no bundle named ${name} (${Object.keys(BUNDLES).join(', ')})`);
    if (ifStale && entryFor(b) === join(REPO, b.outfile)) continue;
    await bundle(name);
  }
}
