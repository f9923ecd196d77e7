// The console benchmark's bulk and export journeys (issue 12): select every device matching a
// filter and add them to a collection in one request, and export the device list as CSV.
import { readFileSync } from 'node:fs';

/**
 * @param {{ page: import('playwright-core').Page, site: { adminUrl: string }, api: any,
 *   target: { id: string, name: string }, measure: Function, N: number }} o
 */
export async function measureBulkAndExport(o) {
  const { page, site, measure, N } = o;
  const rows = page.locator('[data-testid="device-table"] [data-testid="device-row"]');
  const openList = async () => {
    await page.goto(`${site.adminUrl}/devices`);
    await rows.first().waitFor();
  };

  // Export: from the click on "CSV" to the whole file on disk (every device, streamed).
  await measure(
    'exportCsv',
    async () => {
      await page.getByTestId('device-export').click();
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('device-export-csv').click(),
      ]);
      const path = await download.path();
      const lines = readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l !== '').length;
      if (lines !== N + 1) throw new Error(`export: ${lines - 1} rows, expected ${N}`);
      return { rows: lines - 1 };
    },
    openList,
  );

  const bulk = await import('./console-bulk.mjs').catch(() => undefined);
  if (bulk) await bulk.measureBulk(o);
}
