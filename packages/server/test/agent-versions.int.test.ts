import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  ops,
  StatusMessages,
  type AgentPackageManifest,
  type AgentVersion,
  type AgentVersionSettings,
  type PackageContentStatus,
} from '@steward/protocol';
import {
  createTestSite,
  exec,
  pgReachable,
  STEWARD,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';

const pgUp = await pgReachable();
const dialects: TestDialect[] = ['sqlite', 'postgres'];

/** A folder as `npm run package:agent` leaves it: small stand-in packages and their manifest. */
function packageFolder(version: string, tarballText: string): string {
  const dir = mkdtempSync(join(tmpdir(), `steward-agent-${version}-`));
  const files: AgentPackageManifest['files'] = [];
  const add = (name: string, kind: 'deb' | 'tarball' | 'sea', arch: string, text: string) => {
    writeFileSync(join(dir, name), text);
    files.push({
      name,
      kind,
      arch,
      sha256: createHash('sha256').update(text).digest('hex'),
      size: Buffer.byteLength(text),
    });
  };
  add(`steward-agent-${version}-linux.tar.gz`, 'tarball', 'all', tarballText);
  add(`steward-agent-${version}-linux-x64`, 'sea', 'x64', `sea ${version}\n`);
  const manifest: AgentPackageManifest = { name: 'steward-agent', version, files };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

/**
 * Agent versions as content (issue 9), through the real CLI against a real site: register two
 * versions through the content library, set production and pre-production, promote.
 */
describe.each(dialects)('agent versions on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !pgUp)('', () => {
    let site: Site;
    let env: NodeJS.ProcessEnv;
    const steward = (args: string[]) => exec(STEWARD, args, { env });
    const json = async <T>(args: string[]): Promise<T> => {
      const r = await steward([...args, '--json']);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      return JSON.parse(r.stdout) as T;
    };

    beforeAll(async () => {
      site = await createTestSite({ dialect, withEnrolledDevices: 0 });
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

    it('registers versions whose packages go into the content library hash-first', async () => {
      const v1 = await json<AgentVersion>(['agent-version', 'add', packageFolder('1.0.0', 'same')]);
      expect(v1).toMatchObject({ version: '1.0.0', role: null, createdBy: 'admin' });
      expect(v1.files.map((f) => f.kind).sort()).toEqual(['sea', 'tarball']);
      const before = await site.api.call(ops.content.library, {});
      // The second version's tarball has the bytes of the first: stored once.
      const r = await steward(['agent-version', 'add', packageFolder('1.1.0', 'same')]);
      expect(r.code, r.stderr).toBe(0);
      const after = await site.api.call(ops.content.library, {});
      expect(after.fileCount - before.fileCount).toBe(1);
      const again = await steward(['agent-version', 'add', packageFolder('1.1.0', 'other')]);
      expect(again.code).not.toBe(0);
      expect(again.stderr).toMatch(/AGENT_VERSION_EXISTS/);
      const list = await json<AgentVersion[]>(['agent-version', 'list']);
      expect(list.map((v) => v.version).sort()).toEqual(['1.0.0', '1.1.0']);
      const messages = await site.api.listStatusMessages({
        messageId: StatusMessages.AGENT_VERSION_REGISTERED.id,
      });
      expect(messages.items).toHaveLength(2);
    });

    it('each version is a content package, distributed to DPs like any package (ADR 0042)', async () => {
      const v = await json<AgentVersion>(['agent-version', 'show', '1.0.0']);
      const pkg = await site.api.call(ops.packages.get, { params: { id: v.packageId ?? '' } });
      expect(pkg).toMatchObject({ name: 'steward-agent-1.0.0', publisher: 'Steward' });
      expect(pkg.currentVersion?.fileCount).toBe(v.files.length);
      // An unknown DP is refused with its code, and nothing is targeted.
      const refused = await steward(['agent-version', 'distribute', '1.0.0', '--dp', 'nowhere']);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('nowhere');
      await expect(
        site.api.call(ops.agentVersions.distribute, {
          params: { version: '1.0.0' },
          body: { dpIds: ['nowhere'] },
        }),
      ).rejects.toMatchObject({ code: 'DP_NOT_FOUND' });
      expect(
        (
          await site.api.call(ops.agentVersions.contentStatus, {
            params: { version: '1.0.0' },
          })
        ).targeted,
      ).toBe(0);
      // The site server's own DP holds it at once (the library is its store).
      const s = await json<PackageContentStatus>([
        'agent-version',
        'distribute',
        '1.0.0',
        '--dp',
        'site-server',
      ]);
      expect(s).toMatchObject({ targeted: 1, installed: 1 });
      const checked = await json<PackageContentStatus>(['agent-version', 'validate', '1.0.0']);
      expect(checked.distributionPoints).toEqual([
        expect.objectContaining({ dpId: 'site-server', state: 'installed' }),
      ]);
      await expect(
        site.api.call(ops.agentVersions.contentStatus, { params: { version: '0.0.1' } }),
      ).rejects.toMatchObject({ code: 'AGENT_VERSION_NOT_FOUND' });
      // Five CLI processes: slow on a loaded machine.
    }, 300_000);

    it('refuses a version whose files are not in the library', async () => {
      const manifest: AgentPackageManifest = {
        name: 'steward-agent',
        version: '9.9.9',
        files: [
          {
            name: 'steward-agent-9.9.9-linux.tar.gz',
            kind: 'tarball',
            arch: 'all',
            sha256: 'a'.repeat(64),
            size: 3,
          },
        ],
      };
      await expect(site.api.call(ops.agentVersions.register, { body: manifest })).rejects.toThrow(
        /upload them first/,
      );
    });

    it('sets production and pre-production, and only a Full Administrator promotes', async () => {
      const settings = await json<AgentVersionSettings>([
        'agent-version',
        'settings',
        'set',
        '--production',
        '1.0.0',
        '--preproduction',
        '1.1.0',
        '--preproduction-collection',
        'All Systems',
        '--upgrade-window-hours',
        '6',
        '--upgrade-attempt-timeout-hours',
        '5',
      ]);
      expect(settings).toMatchObject({
        productionVersion: '1.0.0',
        preproductionVersion: '1.1.0',
        preproductionCollectionId: 'all-systems',
        exclusionCollectionId: null,
        upgradeWindowHours: 6,
        upgradeAttemptTimeoutHours: 5,
      });
      // The attempt timeout's limits are the declared ones (1 to 72 hours).
      const tooLong = await steward([
        'agent-version',
        'settings',
        'set',
        '--upgrade-attempt-timeout-hours',
        '73',
      ]);
      expect(tooLong.stderr).toMatch(/72/);
      await expect(
        site.api.call(ops.agentVersions.updateSettings, {
          body: { upgradeAttemptTimeoutHours: 0 },
        }),
      ).rejects.toThrow();
      const unknown = await steward(['agent-version', 'settings', 'set', '--production', '7.0.0']);
      expect(unknown.stderr).toMatch(/AGENT_VERSION_NOT_FOUND/);

      await site.api.createUser({
        name: 'operator',
        role: 'operations-administrator',
        password: 'operator password 1',
      });
      const operator = new ApiClient({ baseUrl: site.adminUrl });
      operator.setToken((await operator.login('operator', 'operator password 1')).token);
      await expect(operator.call(ops.agentVersions.promote, {})).rejects.toThrow(/may not/);

      const promoted = await json<{
        settings: AgentVersionSettings;
        previousProductionVersion: string | null;
      }>(['agent-version', 'promote']);
      expect(promoted.previousProductionVersion).toBe('1.0.0');
      expect(promoted.settings.productionVersion).toBe('1.1.0');
      const shown = await json<AgentVersion>(['agent-version', 'show', '1.1.0']);
      expect(shown.role).toBe('production');
      const audit = await site.api.listAudit({ targetType: 'agent-version', targetId: '1.1.0' });
      expect(audit.map((a) => a.action)).toContain('agent-version.promote');
      const message = await site.api.listStatusMessages({
        messageId: StatusMessages.AGENT_VERSION_PROMOTED.id,
      });
      expect(message.items[0]?.insertionStrings).toEqual(['1.1.0', 'admin', '1.0.0', '6']);
      // Nothing left to promote.
      const twice = await steward(['agent-version', 'promote']);
      expect(twice.stderr).toMatch(/AGENT_VERSION_NO_PREPRODUCTION/);
    });
  });
});
