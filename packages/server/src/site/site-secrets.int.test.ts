import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SiteContext } from '../context.js';
import { createTestContext, postgresReachable, testDialects } from '../../test/support/db.js';
import { generateMasterKey, readMasterKey, writeMasterKey } from './master-key.js';
import { SecretBox, sealedKeyId } from './secret-box.js';
import { loadOrCreateSiteKeys } from './site-keys.js';
import { SECRET_SETTINGS, openSiteSecrets, rotateMasterKey } from './site-secrets.js';
import { findPushAccount, insertPushAccount } from '../client-push/repository.js';

const pgUp = await postgresReachable();

describe.each(testDialects)('site secrets on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !pgUp)('', () => {
    let ctx: SiteContext;
    let cleanup: () => Promise<void>;
    let dataDir: string;
    const keyPath = (): string => join(dataDir, 'master.key');

    beforeEach(async () => {
      ({ ctx, cleanup } = await createTestContext(dialect));
      dataDir = mkdtempSync(join(tmpdir(), 'steward-secrets-'));
    });
    afterEach(async () => {
      await cleanup?.();
      rmSync(dataDir, { recursive: true, force: true });
    });

    async function sealedIds(): Promise<string[]> {
      const rows = await ctx.db.kysely
        .selectFrom('site_setting')
        .select('value')
        .where('key', 'in', [...SECRET_SETTINGS])
        .execute();
      return rows.map((r) => sealedKeyId(r.value) ?? 'plaintext');
    }

    async function siteWithKeys(): Promise<{ fingerprint: string; keyId: string }> {
      const box = await openSiteSecrets(ctx.db.kysely, { dataDir });
      const keys = await loadOrCreateSiteKeys(ctx.db.kysely, box, {});
      return { fingerprint: keys.caFingerprint, keyId: box.keyId };
    }

    it('finishes a rotation interrupted after its transaction committed', async () => {
      const site = await siteWithKeys();
      const old = readMasterKey(keyPath());
      if (old === undefined) throw new Error('no key');
      // The rotation wrote master.key.next and re-sealed the database, then stopped.
      const next = generateMasterKey();
      writeMasterKey(`${keyPath()}.next`, next);
      const box = new SecretBox(next, [old]);
      for (const row of await ctx.db.kysely.selectFrom('site_setting').selectAll().execute())
        if (SECRET_SETTINGS.includes(row.key))
          await ctx.db.kysely
            .updateTable('site_setting')
            .set({ value: box.seal(box.open(row.value)) })
            .where('key', '=', row.key)
            .execute();
      const after = await siteWithKeys();
      expect(after).toEqual({ fingerprint: site.fingerprint, keyId: next.id });
      expect(readMasterKey(keyPath())?.id).toBe(next.id);
      expect(existsSync(`${keyPath()}.next`)).toBe(false);
    });

    it('drops a rotation interrupted before its transaction committed', async () => {
      const site = await siteWithKeys();
      writeMasterKey(`${keyPath()}.next`, generateMasterKey());
      expect(await siteWithKeys()).toEqual(site);
      expect(existsSync(`${keyPath()}.next`)).toBe(false);
      expect(await sealedIds()).toEqual([site.keyId, site.keyId]);
    });

    it('re-seals push account secrets in a rotation, and refuses a process without their key', async () => {
      const site = await siteWithKeys();
      const box = await openSiteSecrets(ctx.db.kysely, { dataDir });
      await insertPushAccount(ctx.db.kysely, {
        id: 'a1',
        name: 'ops',
        user_name: 'root',
        auth_kind: 'key',
        secret: box.seal('PRIVATE KEY TEXT'),
        passphrase: box.seal('pass phrase'),
        service_mode: 'systemd',
        created_at: new Date().toISOString(),
        created_by: 'test',
      });
      const r = await rotateMasterKey(ctx.db.kysely, { dataDir });
      expect(r.resealed).toBe(3); // the CA, the signing key, the account
      const account = await findPushAccount(ctx.db.kysely, 'ops');
      expect(sealedKeyId(account?.secret ?? '')).toBe(r.keyId);
      expect(sealedKeyId(account?.passphrase ?? '')).toBe(r.keyId);
      const now = await openSiteSecrets(ctx.db.kysely, { dataDir });
      expect(now.open(account?.secret ?? '')).toBe('PRIVATE KEY TEXT');
      expect(now.open(account?.passphrase ?? '')).toBe('pass phrase');
      expect(r.previousKeyId).toBe(site.keyId);
      // With only the push secrets sealed, another key still cannot open the site.
      await ctx.db.kysely.deleteFrom('site_setting').execute();
      rmSync(keyPath());
      await expect(openSiteSecrets(ctx.db.kysely, { dataDir })).rejects.toThrow(/master key/);
    });
  });
});
