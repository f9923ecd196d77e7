/**
 * vitest global setup of the int and e2e projects: the migrated database templates every test
 * site starts from (db-template.ts, ADR 0087), made once per run and removed after it.
 */
import { prepareDbTemplates } from './db-template.js';
import { POSTGRES_URL, pgReachable } from './site.js';

export default async function setup(): Promise<() => Promise<void>> {
  const { cleanup } = await prepareDbTemplates((await pgReachable()) ? POSTGRES_URL : undefined);
  return cleanup;
}
