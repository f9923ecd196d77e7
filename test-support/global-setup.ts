/**
 * vitest global setup of the int and e2e projects: the esbuild bundles of the CLI (server) and
 * agent brought up to date with dist/ (scripts/bundle.mjs, ADR 0090: the bins run them), and the
 * migrated database templates every test site starts from (db-template.ts, ADR 0087), made once
 * per run and removed after it.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { prepareDbTemplates } from './db-template.js';
import { POSTGRES_URL, REPO, pgReachable } from './site.js';

export default async function setup(): Promise<() => Promise<void>> {
  execFileSync(process.execPath, [join(REPO, 'scripts/bundle.mjs'), '--if-stale'], {
    stdio: 'inherit',
  });
  const { cleanup } = await prepareDbTemplates((await pgReachable()) ? POSTGRES_URL : undefined);
  return cleanup;
}
