#!/usr/bin/env node
// Console benchmark (issue 12): the main pages with 10,000 devices, measured in the browser.
// A site server runs as a child process (SQLite by default); the simulator enrols N virtual
// devices with full inventories over the real protocol; Debian's Chromium (playwright-core,
// headless) signs in and times what an administrator does: open the device list, filter it,
// select every device matching a filter and add them to a collection, export the list as CSV.
// Each measure is the median of --runs runs, from the action to the moment the page shows its
// answer (the rows, the summary, the downloaded file). Writes bench/results/console.json, which
// keeps the latest record of each dialect (`byDialect.sqlite`, `byDialect.postgres`).
//
//   npm run bench:console -- [--devices 10000] [--runs 5] [--dialect sqlite|postgres] [--out file]
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv,
  options: {
    devices: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '5' },
    dialect: { type: 'string', default: 'sqlite' },
    out: { type: 'string' },
    packages: { type: 'string', default: '300' },
    'pg-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const N = Number(values.devices);
const RUNS = Number(values.runs);
if (!Number.isInteger(N) || N < 1) throw new Error('--devices must be a positive integer');
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs must be a positive integer');
const dialect = values.dialect;
if (dialect !== 'sqlite' && dialect !== 'postgres')
  throw new Error('--dialect must be sqlite or postgres');

const { ApiClient } = await import('@steward/protocol');
const { FleetModel, VirtualFleet, resolveTemplate } = await import('@steward/simulator');
const { chromium } = await import('playwright-core');
const { startSiteProcess, stopSiteProcess } = await import('./lib/site-process.mjs');
const { ProcSampler } = await import('./lib/proc-sampler.mjs');

const startedAt = new Date();
const log = (m) =>
  console.error(`[${((Date.now() - startedAt.getTime()) / 1000).toFixed(1)}s] ${m}`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x) => Math.round(x);

function sourceState() {
  try {
    const git = (...a) => execFileSync('git', a, { cwd: root, encoding: 'utf8' }).trim();
    return {
      commit: git('rev-parse', 'HEAD'),
      uncommittedChanges: git('status', '--porcelain').split('\n').filter(Boolean).length,
    };
  } catch {
    return { commit: 'unknown', uncommittedChanges: null };
  }
}

/** Runs `fn` RUNS times (after `prepare` each time, untimed) and returns its timings in ms. */
async function measure(name, fn, prepare) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    if (prepare) await prepare(i);
    const t0 = performance.now();
    const detail = await fn(i);
    times.push(performance.now() - t0);
    if (i === 0 && detail) results.details[name] = detail;
  }
  results.pages[name] = { medianMs: round(median(times)), runsMs: times.map(round) };
  log(`  ${name}: median ${round(median(times))} ms (${times.map(round).join(', ')})`);
}

const results = { pages: {}, details: {}, errors: [] };
const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
const dataDir = mkdtempSync(join(tmpdir(), 'steward-bench-console-'));
const schema = `bench_${randomBytes(4).toString('hex')}`;
const dbUrl = dialect === 'postgres' ? `${values['pg-url']}?schema=${schema}` : undefined;
const adminPassword = `bench-${randomBytes(12).toString('hex')}`;
let site;
let fleet;
let browser;
let sampler;
try {
  site = await startSiteProcess({ root, dataDir, db: dbUrl, adminPassword });
  log(`site server pid ${site.pid}: admin ${site.adminUrl}`);
  const api = new ApiClient({ baseUrl: site.adminUrl });
  api.setToken((await api.login('admin', adminPassword)).token);
  const token = await api.createToken({
    description: 'console benchmark',
    maxUses: N,
    expiresInHours: 24,
  });
  const { template } = resolveTemplate();
  const model = new FleetModel(template, {
    seed: 1,
    images: 20,
    driftRate: 0.1,
    packagesPerDevice: Number(values.packages),
  });
  fleet = await VirtualFleet.connect({ token: token.token, count: N, model, seed: 1 });
  log(`enrolling ${N} virtual devices with full inventories...`);
  await fleet.enrolAll(32);
  await fleet.sendFullInventories(32);
  const target = await api.createCollection({
    name: 'Bench bulk target',
    description: 'Devices added by the console benchmark',
    rules: [],
  });
  // 100 revoked devices, so a status filter has a result of its own to wait for.
  const toRevoke = (await api.listDevices({ search: 'sim-099', limit: 100 })).items.map(
    (d) => d.id,
  );
  await api.bulkDeviceAction({ selection: { ids: toRevoke }, action: 'revoke' });
  log(`fleet ready (${toRevoke.length} revoked); browser journeys (${RUNS} runs each)`);

  sampler = new ProcSampler(site.pid, 500);
  sampler.start();
  sampler.mark('browser');
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(120_000);
  await page.goto(site.adminUrl);
  await page.getByTestId('sign-in-user').fill('admin');
  await page.getByTestId('sign-in-password').fill(adminPassword);
  await page.getByTestId('sign-in-submit').click();
  await page.getByTestId('signed-in-user').waitFor();

  const deviceRows = page.locator('[data-testid="device-table"] [data-testid="device-row"]');
  const pagerText = () => page.getByTestId('device-pager').innerText();
  const firstName = fleet.agents[0].hostname;

  // 1. The device list, opened from a blank page (the console's code cached, as after a visit).
  await measure(
    'deviceList',
    async () => {
      await page.goto(`${site.adminUrl}/devices`);
      await deviceRows.first().waitFor();
      const pager = await pagerText();
      if (!pager.includes(`of ${N.toLocaleString('en')}`)) throw new Error(`device list: ${pager}`);
      return { pager };
    },
    () => page.goto('about:blank'),
  );

  // 2. A filter: typing a search (debounced 300 ms, included) until the one matching row shows.
  await measure(
    'filterSearch',
    async () => {
      await page.getByTestId('device-search').fill(firstName);
      await page
        .locator('[data-testid="device-table"] [data-testid="device-row"]', { hasText: firstName })
        .first()
        .waitFor();
      await page.waitForFunction(
        () =>
          document.querySelectorAll('[data-testid="device-table"] [data-testid="device-row"]')
            .length <= 10,
      );
      return { search: firstName };
    },
    async () => {
      await page.goto(`${site.adminUrl}/devices`);
      await deviceRows.first().waitFor();
    },
  );

  // 3. A status filter (Revoked: the 100 revoked above) until the pager shows its total.
  await measure(
    'filterStatus',
    async () => {
      await page.getByTestId('device-status-filter').getByText('Revoked', { exact: true }).click();
      await page.waitForFunction(
        (n) =>
          document.querySelector('[data-testid="device-pager"]')?.textContent?.includes(`of ${n}`),
        toRevoke.length,
      );
      return { pager: await pagerText() };
    },
    async () => {
      await page.goto(`${site.adminUrl}/devices`);
      await deviceRows.first().waitFor();
    },
  );

  // 4 and 5 (select all matching + bulk add, export) use the mechanisms of issue 12.
  const bulk = await import('./lib/console-bulk-export.mjs');
  await bulk.measureBulkAndExport({ page, site, api, target, measure, N });

  // 6. One device's page.
  const someId = (await api.listDevices({ search: firstName, limit: 1 })).items[0].id;
  await measure(
    'devicePage',
    async () => {
      await page.goto(`${site.adminUrl}/devices/${someId}`);
      await page.getByText(firstName).first().waitFor();
    },
    () => page.goto('about:blank'),
  );
} catch (err) {
  results.errors.push(err instanceof Error ? (err.stack ?? err.message) : String(err));
  log(`FAILED: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  sampler?.stop();
  await browser?.close().catch(() => undefined);
  await fleet?.close().catch(() => undefined);
  if (site) await stopSiteProcess(site);
  rmSync(dataDir, { recursive: true, force: true });
}

const server = sampler?.summary('browser') ?? null;
const out = {
  benchmark: 'console at fleet scale (issue 12), measured in the browser',
  command:
    `npm run bench:console -- ${argv.join(' ')}`.trim() ||
    `node ${relative(process.cwd(), fileURLToPath(import.meta.url))}`,
  startedAt: startedAt.toISOString(),
  source: sourceState(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryMb: Math.round(totalmem() / 1048576),
    kernel: release(),
    node: process.version,
    chromium: (() => {
      try {
        return execFileSync('chromium', ['--version'], { encoding: 'utf8' }).trim();
      } catch {
        return 'unknown';
      }
    })(),
    loadAtStart,
  },
  devices: N,
  dialect,
  runs: RUNS,
  notes:
    'Times are medians of the runs, from the action to the page showing its answer, measured by the test driver in the same headless Chromium; the site server, the browser and the benchmark share the 2 cores.',
  ...results,
  server,
};
// One file holds the latest run of each dialect: a run replaces only its own dialect's record.
const outFile = values.out ? resolve(values.out) : join(root, 'bench/results/console.json');
let byDialect = {};
try {
  const previous = JSON.parse(readFileSync(outFile, 'utf8'));
  if (previous && typeof previous.byDialect === 'object') byDialect = previous.byDialect;
} catch {
  // no previous record, or one from before records were kept per dialect: start afresh
}
byDialect[dialect] = out;
writeFileSync(outFile, `${JSON.stringify({ benchmark: out.benchmark, byDialect }, null, 2)}\n`);
log(`wrote ${relative(root, outFile)}`);
if (results.errors.length) process.exitCode = 1;
