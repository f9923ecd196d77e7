// Where one `createTestSite` (test-support/site.ts) spends its time, per dialect: the harness is
// bundled by esbuild and run as the tests run it (real `steward server`, real agents, real
// databases). Phases from the harness (`site.timings`) and from the server's 'site server ready'
// log line (module import, migrations, whole start-up, in ms since the server process started).
//
//   node bench/site-start.mjs --runs 5 --concurrency 1 --label after --out bench/results/ci.json
//
// `--template` starts every site from the run's migrated database templates (db-template.ts).
// `--compare-bundle` alternates sites started from dist/ (STEWARD_NO_BUNDLE=1) and from the
// esbuild bundles (scripts/bundle.mjs, ADR 0090) in the same run, and reports both.
// `--concurrency` builds that many sites at once (a loaded CI worker). Medians are reported; the
// machine's load average is recorded beside them (other work makes every figure larger).
import { build } from 'esbuild';
import { readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const runs = Number(arg('runs', '5'));
const concurrency = Number(arg('concurrency', '1'));
const label = arg('label', 'run');
const out = arg('out', undefined);
const dialects = (arg('dialects', 'sqlite,postgres') ?? '').split(',');
const modes = process.argv.includes('--compare-bundle') ? ['dist', 'bundle'] : [undefined];

const bundle = join(REPO, 'test-support', `.site-bench-${process.pid}.mjs`);
await build({
  stdin: {
    contents: "export * from './site.ts'; export * from './db-template.ts';",
    resolveDir: join(REPO, 'test-support'),
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outfile: bundle,
  logLevel: 'error',
});
const site = await import(pathToFileURL(bundle).href);
rmSync(bundle);
// --template: sites start from the migrated templates, as under vitest (global-setup.ts).
const template = process.argv.includes('--template')
  ? await site.prepareDbTemplates((await site.pgReachable()) ? site.POSTGRES_URL : undefined)
  : undefined;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : Math.round((s[m - 1] + s[m]) / 2);
};

/** The startup figures of the server's 'site server ready' line. */
function serverStartup(dir) {
  const log = readFileSync(join(dir, 'server', 'server.log'), 'utf8');
  for (const line of log.split('\n')) {
    if (!line.includes('site server ready')) continue;
    const { startup } = JSON.parse(line);
    return startup ?? {};
  }
  return {};
}

async function one(dialect) {
  const s = await site.createTestSite({ dialect });
  const startup = serverStartup(s.dir);
  await s.stop();
  return { ...s.timings, ...startup };
}

/** Medians of the samples, per phase. */
function summary(samples, load) {
  const keys = Object.keys(samples[0]);
  return {
    sites: samples.length,
    medianMs: Object.fromEntries(keys.map((k) => [k, median(samples.map((x) => x[k] ?? 0))])),
    loadAverage1m: Math.round(median(load) * 100) / 100,
  };
}

const results = {};
for (const dialect of dialects) {
  const samples = new Map(modes.map((m) => [m, []]));
  const load = [];
  for (let i = 0; i < runs; i++) {
    load.push(loadavg()[0]);
    for (const mode of modes) {
      if (mode === 'dist') process.env.STEWARD_NO_BUNDLE = '1';
      else delete process.env.STEWARD_NO_BUNDLE;
      const batch = Array.from({ length: concurrency }, () => one(dialect));
      samples.get(mode).push(...(await Promise.all(batch)));
    }
  }
  results[dialect] =
    modes[0] === undefined
      ? summary(samples.get(undefined), load)
      : Object.fromEntries(modes.map((m) => [m, summary(samples.get(m), load)]));
  console.log(dialect, JSON.stringify(results[dialect]));
}
await template?.cleanup();

if (out) {
  const doc = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {};
  doc.createTestSite ??= {};
  doc.createTestSite[label] = {
    command: `node bench/site-start.mjs ${process.argv.slice(2).join(' ')}`,
    commit: execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO }).toString().trim(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model },
    at: new Date().toISOString(),
    concurrency,
    ...results,
  };
  writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
}
process.exit(0);
