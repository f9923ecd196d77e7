import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AGENT_VERSION } from './version.js';

describe('agent version', () => {
  it('equals the package version', () => {
    const pkg: unknown = JSON.parse(
      readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    );
    expect(pkg).toEqual(expect.objectContaining({ version: AGENT_VERSION }));
  });
});
