/**
 * Keys are not data (issue 7): the site's private keys are sealed with a master key kept outside
 * the database, and everything the site and the agent write is private (0600 files, 0700
 * folders), on data directories an installer made 0755 beforehand. Real processes, both dialects.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '@steward/protocol';
import {
  enrolAgent,
  exec,
  FAST_SETTINGS,
  modesUnder,
  dropTestSchema,
  pgReachable,
  POSTGRES_URL,
  refusedServerStart,
  startServerProcess,
  STEWARD,
  waitFor,
  wrongModes,
  type AgentHandle,
  type ServerHandle,
  type ServerProcessOptions,
  type TestDialect,
} from '../../../test-support/site.js';
import { createPackageFromFiles } from '../../../test-support/software.js';
import { readMasterKey } from '../src/site/master-key.js';
import { SecretBox, sealedKeyId } from '../src/site/secret-box.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();
const SECRETS = ['site_ca', 'policy_signing_key'];

/** A folder as an installer leaves it (0755), with a file an older version wrote 0644. */
function preexisting(dir: string, staleFile: string): void {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, staleFile), '{}\n');
  chmodSync(join(dir, staleFile), 0o644);
}

describe.each(dialects)('site keys and file modes on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !hasPg)('', () => {
    const password = randomBytes(12).toString('base64url');
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const dbUrl = dialect === 'postgres' ? `${POSTGRES_URL}?schema=${schema}` : undefined;
    let dir: string;
    let dataDir: string;
    let agentDir: string;
    let server: ServerHandle;
    let agent: AgentHandle;
    let api: ApiClient;
    let fingerprint: string;

    const keyFile = (): string => join(dataDir, 'master.key');
    const dbArgs = (): string[] => (dbUrl ? ['--db', dbUrl] : []);

    /** The site_setting rows, read straight from the database as a backup would hold them. */
    async function settings(): Promise<Map<string, string>> {
      if (!dbUrl) {
        const db = new SqliteDatabase(join(dataDir, 'steward.db'), { readonly: true });
        try {
          const rows = db.prepare('select key, value from site_setting').all() as {
            key: string;
            value: string;
          }[];
          return new Map(rows.map((r) => [r.key, r.value]));
        } finally {
          db.close();
        }
      }
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      try {
        const r = await c.query<{ key: string; value: string }>(
          `select key, value from "${schema}".site_setting`,
        );
        return new Map(r.rows.map((row) => [row.key, row.value]));
      } finally {
        await c.end();
      }
    }

    async function writeSetting(key: string, value: string): Promise<void> {
      if (!dbUrl) {
        const db = new SqliteDatabase(join(dataDir, 'steward.db'));
        db.prepare('update site_setting set value = ? where key = ?').run(value, key);
        db.close();
        return;
      }
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`update "${schema}".site_setting set value = $1 where key = $2`, [value, key]);
      await c.end();
    }

    /** The server's options, on the same ports as before so the agent keeps its URL. */
    function serverOptions(env?: NodeJS.ProcessEnv): ServerProcessOptions {
      return {
        dataDir,
        password,
        ...(dbUrl ? { dbUrl } : {}),
        ...(env ? { env } : {}),
        ...(server
          ? {
              adminListen: new URL(server.adminUrl).host,
              agentListen: new URL(server.agentUrl).host,
            }
          : {}),
      };
    }
    const start = (): Promise<ServerHandle> => startServerProcess(serverOptions());

    async function expectRefused(env?: NodeJS.ProcessEnv): Promise<void> {
      const r = await refusedServerStart(serverOptions(env));
      expect(r.code, r.output).toBe(1);
      expect(r.output).toMatch(
        /MASTER_KEY: this site's secrets are sealed with master key [0-9a-f]{16}/,
      );
    }

    async function restartAndSeeTheAgent(): Promise<void> {
      const deviceId = agent.deviceId;
      const since = new Date().toISOString();
      server = await start();
      api = new ApiClient({ baseUrl: server.adminUrl });
      api.setToken((await api.login('admin', password)).token);
      expect((await api.site()).caFingerprint).toBe(fingerprint);
      // The agent pinned the CA at enrolment: it only talks to the site again if the CA is kept.
      await waitFor('the agent back in contact', async () => {
        const d = await api.getDevice(deviceId);
        return d.lastContactAt !== null && d.lastContactAt > since;
      });
    }

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'steward-keys-'));
      dataDir = join(dir, 'server');
      agentDir = join(dir, 'agent');
      preexisting(dataDir, 'server.log');
      preexisting(agentDir, 'agent-state.json');
      server = await start();
      api = new ApiClient({ baseUrl: server.adminUrl });
      api.setToken((await api.login('admin', password)).token);
      await api.updateClientSettings(FAST_SETTINGS);
      fingerprint = (await api.site()).caFingerprint;
      const token = await api.createToken({ description: 'keys', maxUses: 1 });
      agent = await enrolAgent(token.token ?? '', agentDir);
      agent.start();
      await waitFor('the device with inventory', async () => {
        const d = await api.getDevice(agent.deviceId).catch(() => undefined);
        return d?.lastInventoryAt ?? undefined;
      });
      await createPackageFromFiles(api, 'modes', [{ path: 'a.txt', content: 'private bytes' }]);
    });
    afterAll(async () => {
      await agent?.stop();
      await server?.stop();
      if (dbUrl) {
        await dropTestSchema(schema);
      }
      rmSync(dir, { recursive: true, force: true });
    });

    it('creates every file of the site 0600 and every folder 0700 in a data directory made 0755 beforehand', () => {
      const modes = modesUnder(dataDir);
      expect(modes.get(`${dataDir}/`)).toBeUndefined();
      expect(lstatSync(dataDir).mode & 0o777).toBe(0o700);
      const names = [...modes.keys()].map((p) => p.slice(dataDir.length + 1));
      expect(names).toEqual(
        expect.arrayContaining(['master.key', 'server.log', 'server.json', 'content/']),
      );
      if (!dbUrl)
        expect(names).toEqual(
          expect.arrayContaining(['steward.db', 'steward.db-wal', 'steward.db-shm']),
        );
      expect(names.some((n) => n.startsWith('content/sha256/') && !n.endsWith('/'))).toBe(true);
      expect(wrongModes(modes)).toEqual([]);
    });

    it("keeps the agent's state private in a state directory made 0755 beforehand", () => {
      // 0700, or 0711 once the software-center socket gives logged-on users the search bit.
      expect(lstatSync(agentDir).mode & 0o077 & ~0o011).toBe(0);
      const modes = modesUnder(agentDir);
      expect([...modes.keys()]).toEqual(
        expect.arrayContaining([join(agentDir, 'device.json'), join(agentDir, 'outbox/')]),
      );
      expect(wrongModes(modes)).toEqual([]);
    });

    it('stores the CA and policy-signing keys sealed: the database alone holds no private key', async () => {
      const rows = await settings();
      for (const key of SECRETS) expect(rows.get(key)).toMatch(/^enc:v1:[0-9a-f]{16}:/);
      expect([...rows.values()].join('\n')).not.toContain('PRIVATE KEY');
      if (!dbUrl) {
        const files = ['steward.db', 'steward.db-wal'].map((f) => join(dataDir, f));
        for (const f of files.filter((p) => existsSync(p)))
          expect(readFileSync(f).includes('PRIVATE KEY')).toBe(false);
      }
    });

    it('refuses to start without the master key, and makes no new one', async () => {
      await server.stop();
      const before = await settings();
      const saved = join(dir, 'saved.key');
      renameSync(keyFile(), saved);
      await expectRefused();
      expect(existsSync(keyFile())).toBe(false);
      expect(await settings()).toEqual(before);
      renameSync(saved, keyFile());
      await restartAndSeeTheAgent();
    });

    it('refuses to rotate the master key while the site server runs, changing nothing', async () => {
      const before = await settings();
      const keyBefore = readMasterKey(keyFile())?.id;
      const r = await exec(STEWARD, [
        'server',
        'rotate-master-key',
        '--data',
        dataDir,
        ...dbArgs(),
        '--json',
      ]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/SITE_RUNNING|running/);
      expect(readMasterKey(keyFile())?.id).toBe(keyBefore);
      expect(existsSync(`${keyFile()}.next`)).toBe(false);
      // The running server writes settings of its own meanwhile; the sealed keys must be untouched.
      const after = await settings();
      for (const key of SECRETS) expect(after.get(key)).toBe(before.get(key));
    });

    it('rotates the master key: secrets re-sealed, the CA kept, the old key no longer opens the site', async () => {
      await server.stop();
      const old = join(dir, 'old.key');
      copyFileSync(keyFile(), old);
      const oldId = readMasterKey(old)?.id;
      const r = await exec(STEWARD, [
        'server',
        'rotate-master-key',
        '--data',
        dataDir,
        ...dbArgs(),
        '--json',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const result = JSON.parse(r.stdout) as { previousKeyId: string; keyId: string };
      expect(result.previousKeyId).toBe(oldId);
      expect(result.keyId).not.toBe(oldId);
      expect(readMasterKey(keyFile())?.id).toBe(result.keyId);
      expect(lstatSync(keyFile()).mode & 0o777).toBe(0o600);
      expect(existsSync(`${keyFile()}.next`)).toBe(false);
      const rows = await settings();
      for (const key of SECRETS) expect(sealedKeyId(rows.get(key) ?? '')).toBe(result.keyId);
      await expectRefused({ STEWARD_MASTER_KEY_FILE: old });
      await restartAndSeeTheAgent();
    });

    it('seals in place the plaintext keys of a database from an older version, keeping the CA', async () => {
      await server.stop();
      // What the version before sealing left: plaintext PEM rows and no master key.
      const key = readMasterKey(keyFile());
      if (key === undefined) throw new Error('no master key');
      const box = new SecretBox(key);
      const rows = await settings();
      for (const name of SECRETS) await writeSetting(name, box.open(rows.get(name) ?? ''));
      rmSync(keyFile());
      expect((await settings()).get('policy_signing_key')).toContain('PRIVATE KEY');
      await restartAndSeeTheAgent();
      const newKey = readMasterKey(keyFile());
      expect(newKey).toBeDefined();
      expect(lstatSync(keyFile()).mode & 0o777).toBe(0o600);
      const sealed = await settings();
      for (const name of SECRETS) {
        expect(sealedKeyId(sealed.get(name) ?? '')).toBe(newKey?.id);
        expect(new SecretBox(newKey ?? key).open(sealed.get(name) ?? '')).toBe(
          box.open(rows.get(name) ?? ''),
        );
      }
    });
  });
});
