// The console benchmark's bulk journey (issue 12): select every device matching the (empty)
// filter and add them all to a collection: one request to the site, timed from the first click
// to the result summary on screen.
/** @param {{ page: import('playwright-core').Page, site: { adminUrl: string }, target: { name: string }, measure: Function, N: number }} o */
export async function measureBulk(o) {
  const { page, site, target, measure, N } = o;
  const rows = page.locator('[data-testid="device-table"] [data-testid="device-row"]');
  await measure(
    'selectAllAndAddToCollection',
    async () => {
      await page.getByTestId('select-page').check();
      await page.getByTestId('select-all-matching').click();
      await page.getByTestId('bulk-action-collection:add').click();
      await page.getByTestId('bulk-collection').click();
      await page.getByRole('option', { name: target.name }).click();
      await page.getByTestId('bulk-confirm-button').click();
      await page.getByTestId('bulk-result').waitFor();
      const matched = await page.getByTestId('bulk-result-matched').textContent();
      if ((matched ?? '').replace(/\D/g, '') !== String(N))
        throw new Error(`bulk: ${matched}, expected ${N}`);
      return {
        matched,
        done: await page.getByTestId('bulk-result-done').textContent(),
        failed: await page.getByTestId('bulk-result-failed').textContent(),
      };
    },
    async () => {
      await page.goto(`${site.adminUrl}/devices`);
      await rows.first().waitFor();
    },
  );
}
