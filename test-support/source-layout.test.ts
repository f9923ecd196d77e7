/**
 * The shape ADR 0013 promises, checked on the sources: nothing test-only in a package's `src`
 * (so nothing test-only in `dist`), and the test clock read only at process entry points.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..');
const PACKAGES = ['protocol', 'server', 'agent', 'cli', 'simulator'];

function sourcesOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourcesOf(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

const built = PACKAGES.flatMap((p) => sourcesOf(join(REPO, 'packages', p, 'src')))
  .filter((f) => !f.endsWith('.test.ts'))
  .map((f) => ({ path: relative(REPO, f), text: readFileSync(f, 'utf8') }));

describe('source layout (ADR 0013)', () => {
  it('finds the sources it checks', () => {
    expect(built.length).toBeGreaterThan(100);
  });

  it('keeps fixtures and test helpers out of src', () => {
    const testOnly = built.filter(
      (f) =>
        /(^|\/)(test-support|__fixtures__)\/|fixture|(^|\/)test-[^/]*\.ts$/.test(f.path) ||
        /from '(vitest|node:test)'/.test(f.text) ||
        /from '(\.\.\/)+test\//.test(f.text),
    );
    expect(testOnly.map((f) => f.path)).toEqual([]);
  });

  it('reads the test clock variable only at process entry points', () => {
    const readers = built.filter((f) => /clockFromEnv\(/.test(f.text)).map((f) => f.path);
    expect(readers.sort()).toEqual([
      'packages/agent/src/commands/run-command.ts',
      'packages/cli/src/commands/server.ts',
      'packages/protocol/src/common/clock-file.ts',
    ]);
  });
});
