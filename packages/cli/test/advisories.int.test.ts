import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Advisory, AdvisoryImport, CveView, SoftwareUpdate } from '@steward/protocol';
import { exec, createTestSite, STEWARD, type Site } from '../../../test-support/site.js';

const FIXTURES = join(import.meta.dirname, '../../server/test/fixtures/advisories');

/** `steward advisory` and `steward cve` against a real site server (ADR 0048). */
describe('steward advisory and cve against a real site', () => {
  let site: Site;
  let env: NodeJS.ProcessEnv;
  const steward = (args: string[]) => exec(STEWARD, args, { env });
  const json = async <T>(args: string[]): Promise<T> => {
    const r = await steward([...args, '--json']);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return JSON.parse(r.stdout) as T;
  };

  beforeAll(async () => {
    site = await createTestSite({});
    env = {
      STEWARD_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'steward-cli-')),
      STEWARD_SERVER: site.adminUrl,
      STEWARD_TOKEN: site.api.token ?? '',
      NO_COLOR: '1',
    };
  });
  afterAll(async () => {
    await site?.stop();
  });

  it('imports files, lists and shows advisories, shows a CVE, filters updates', async () => {
    const tracker = await json<AdvisoryImport>([
      'advisory',
      'import',
      join(FIXTURES, 'tracker.json'),
      '--format',
      'debian-tracker',
    ]);
    expect(tracker).toMatchObject({ state: 'succeeded', cves: 3, fixes: 4 });
    const dsa = await steward([
      'advisory',
      'import',
      join(FIXTURES, 'DSA-list'),
      '--format',
      'dsa-list',
    ]);
    expect(dsa.code, dsa.stderr).toBe(0);
    expect(dsa.stdout + dsa.stderr).toContain('2 advisories');

    const list = await json<{ items: Advisory[] }>(['advisory', 'list', '--cve', 'CVE-2024-5535']);
    expect(list.items.map((a) => a.id)).toEqual(['DSA-5844-1']);
    const shown = await steward(['advisory', 'show', 'DSA-5844-1']);
    expect(shown.stdout).toContain('openssl 3.0.15-1~deb12u1');

    const cve = await json<CveView>(['cve', 'show', 'CVE-2024-13176']);
    expect(cve.packages).toEqual([
      expect.objectContaining({ release: 'bookworm', package: 'openssl', status: 'open' }),
    ]);
    const text = await steward(['cve', 'show', 'CVE-2024-5535']);
    expect(text.stdout).toContain('fixed in 3.0.15-1~deb12u1');

    const updates = await json<{ items: SoftwareUpdate[] }>([
      'update',
      'list',
      '--severity',
      'high',
    ]);
    expect(updates.items).toEqual([]);

    const bad = await steward([
      'advisory',
      'import',
      join(FIXTURES, 'DSA-list'),
      '--format',
      'usn',
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('ADVISORY_FORMAT_INVALID');
    const missing = await steward(['cve', 'show', 'CVE-1999-0001']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('CVE_NOT_FOUND');
  });
});
