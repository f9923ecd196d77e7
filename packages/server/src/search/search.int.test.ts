import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, ops } from '@steward/protocol';
import { postgresReachable, testDialects } from '../../test/support/db.js';
import { insertPackage, startTestServer, type TestServer } from '../../test/support/deployments.js';

const pgUp = await postgresReachable();
if (!pgUp)
  console.warn('PostgreSQL is unreachable: the postgres cases of search.int.test.ts are SKIPPED');

const DEVICES = 10_000;

describe.each(testDialects)('global search on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !pgUp)('', () => {
    let t: TestServer;

    beforeAll(async () => {
      t = await startTestServer(dialect);
      const at = new Date().toISOString();
      const rows = Array.from({ length: DEVICES }, (_, i) => ({
        id: `srch-${String(i).padStart(5, '0')}`,
        name: i === 4242 ? 'web-frontend-01' : `host-${String(i).padStart(5, '0')}`,
        key_hash: 'x',
        enrolled_at: at,
        ip_addresses: `10.${Math.floor(i / 256)}.${i % 256}.7`,
        last_logged_on_user: i === 17 ? 'margaret.hamilton' : null,
        package_count: 0,
        inventory_resync: 0,
      }));
      for (let i = 0; i < rows.length; i += 500)
        await t.db
          .insertInto('device')
          .values(rows.slice(i, i + 500))
          .execute();
      const machines = rows.map((r, i) => ({
        device_id: r.id,
        class_name: 'machine',
        data: JSON.stringify([
          {
            vendor: 'Dell Inc.',
            model: 'OptiPlex',
            serialNumber: `SN${String(i).padStart(6, '0')}X`,
          },
        ]),
        hash: 'h',
        updated_at: at,
      }));
      for (let i = 0; i < machines.length; i += 500)
        await t.db
          .insertInto('device_inventory')
          .values(machines.slice(i, i + 500))
          .execute();
      const pkg = await insertPackage(t.db, 'frontend-tools');
      await t.api.createProgram(pkg, { name: 'Install frontend', commandLine: 'true' });
    }, 180_000);
    afterAll(async () => {
      await t?.stop();
    });

    it('finds a device by part of its name, first, and other kinds by name', async () => {
      const started = performance.now();
      const res = await t.api.search('frontend');
      console.info(
        `search over ${DEVICES} devices (${dialect}): ${(performance.now() - started).toFixed(0)} ms`,
      );
      expect(res.hits.find((h) => h.kind === 'device')).toMatchObject({
        id: 'srch-04242',
        name: 'web-frontend-01',
      });
      expect(res.hits.find((h) => h.kind === 'package')).toMatchObject({ name: 'frontend-tools' });
      const program = res.hits.find((h) => h.kind === 'program');
      expect(program).toMatchObject({ name: 'Install frontend' });
      expect(program?.packageId).toBeTruthy();
      expect(res.hiddenKinds).toEqual([]);
    });

    it('finds devices by serial, address and user, saying what matched', async () => {
      expect((await t.api.search('sn004242x')).hits).toEqual([
        expect.objectContaining({ kind: 'device', id: 'srch-04242', detail: 'serial SN004242X' }),
      ]);
      const byAddress = await t.api.search('10.16.146.7');
      expect(byAddress.hits[0]).toMatchObject({
        id: 'srch-04242',
        detail: 'address 10.16.146.7',
      });
      expect((await t.api.search('hamilton')).hits[0]).toMatchObject({
        id: 'srch-00017',
        detail: 'user margaret.hamilton',
      });
    });

    it('returns at most the limit per kind, exact and prefix matches first', async () => {
      const res = await t.api.search('host-0', 3);
      expect(res.hits.filter((h) => h.kind === 'device')).toHaveLength(3);
      expect((await t.api.search('All Systems')).hits[0]).toMatchObject({
        kind: 'collection',
        id: 'all-systems',
      });
    });

    it('finds software updates by package, CVE and advisory id, and CVEs by id', async () => {
      const at = new Date().toISOString();
      await t.db
        .insertInto('update_source')
        .values({
          id: 'src-1',
          name: 'Security',
          url: 'http://127.0.0.1:9/security',
          suite: 'stable-security',
          components: '["main"]',
          architectures: '["amd64"]',
          keyring: 'k',
          sync_interval_hours: 24,
          enabled: 1,
          created_at: at,
          created_by: 'admin',
          release_sha256: null,
          signed_by: null,
          last_sync_id: null,
          last_sync_started_at: null,
        })
        .execute();
      const update = (id: string, version: string, supersededAt: string | null) => ({
        id,
        source_id: 'src-1',
        package: 'openssl',
        version,
        version_key: version,
        classification: 'security' as const,
        binaries: '[]',
        first_seen_at: at,
        superseded_at: supersededAt,
        superseded_by: null,
      });
      await t.db
        .insertInto('software_update')
        .values([update('u-old', '3.0.1-1', at), update('u-new', '3.0.2-1', null)])
        .execute();
      await t.db
        .insertInto('cve')
        .values({ id: 'CVE-2031-4242', description: 'A flaw in the TLS handshake', updated_at: at })
        .execute();
      await t.db
        .insertInto('update_advisory')
        .values({
          update_id: 'u-new',
          cve_id: 'CVE-2031-4242',
          origin: 'DSA-9999-1',
          severity: 'high',
        })
        .execute();
      const byCve = await t.api.search('cve-2031-4242');
      expect(byCve.hits.filter((h) => h.kind === 'update')).toEqual([
        { kind: 'update', id: 'u-new', name: 'openssl 3.0.2-1', detail: 'fixes CVE-2031-4242' },
      ]);
      expect(byCve.hits.filter((h) => h.kind === 'cve')).toEqual([
        {
          kind: 'cve',
          id: 'CVE-2031-4242',
          name: 'CVE-2031-4242',
          detail: 'A flaw in the TLS handshake',
        },
      ]);
      const byAdvisory = await t.api.search('DSA-9999');
      expect(byAdvisory.hits.find((h) => h.kind === 'update')).toMatchObject({
        id: 'u-new',
        detail: 'fixes DSA-9999-1',
      });
      // By package: the current update first, the superseded one marked.
      const byPackage = (await t.api.search('openssl')).hits.filter((h) => h.kind === 'update');
      expect(byPackage.map((h) => [h.id, h.detail])).toEqual([
        ['u-new', 'source package'],
        ['u-old', 'source package (superseded)'],
      ]);
    });

    it('finds advisories, custom updates, update groups, update deployments and rules', async () => {
      const at = new Date().toISOString();
      await t.db
        .insertInto('advisory')
        .values({
          id: 'DSA-9999-1',
          kind: 'dsa',
          title: 'openssl security update',
          description: '',
          severity: 'high',
          published_at: null,
          cves: '["CVE-2031-4242"]',
          links: '[]',
          imported_at: at,
        })
        .execute();
      const acme = await t.api.call(ops.customUpdates.createCustomUpdate, {
        body: {
          title: 'Acme Agent 2.1',
          vendor: 'Acme',
          product: 'Agent',
          version: '2.1',
          detection: { match: 'all', rules: [{ kind: 'file-exists', path: '/opt/acme/2.1' }] },
        },
      });
      const group = await t.api.call(ops.updateGroups.createGroup, {
        body: { name: 'December security', description: 'monthly', updateIds: ['u-new'] },
      });
      const pkg = await insertPackage(t.db, 'december-content');
      const program = await t.api.createProgram(pkg, { name: 'Updates', commandLine: 'true' });
      const targets = await t.api.createCollection({ name: 'Patch lab', rules: [] });
      const deployment = await t.api.createDeployment({
        name: 'software part of the update deployment',
        programId: program.id,
        collectionId: targets.id,
        purpose: 'available',
      });
      await t.db
        .insertInto('update_deployment')
        .values({
          id: 'ud-december',
          name: 'December security to the lab',
          group_id: group.id,
          deployment_id: deployment.id,
          package_id: pkg,
          repo_key: 'k',
          options: '{}',
          created_at: at,
          created_by: 'admin',
        })
        .execute();
      await t.db
        .insertInto('update_rule')
        .values({
          id: 'rule-december',
          name: 'December auto-approval',
          description: '',
          filter: '{}',
          group_mode: 'new-group',
          group_id: null,
          collection_ids: '[]',
          phased: null,
          template: '{}',
          run_after_sync: 0,
          interval_hours: 24,
          enabled: 0,
          created_at: at,
          created_by: 'admin',
          updated_at: at,
          last_run_at: null,
          last_run_id: null,
          running_since: null,
        })
        .execute();

      const december = (await t.api.search('december')).hits;
      expect(december.filter((h) => h.kind.startsWith('update-'))).toEqual([
        { kind: 'update-group', id: group.id, name: 'December security', detail: 'monthly' },
        {
          kind: 'update-deployment',
          id: 'ud-december',
          name: 'December security to the lab',
          detail: 'to Patch lab',
        },
        {
          kind: 'update-rule',
          id: 'rule-december',
          name: 'December auto-approval',
          detail: 'disabled',
        },
      ]);
      // An advisory by its id beside the update it fixes; a custom update by its vendor.
      const dsa = (await t.api.search('dsa-9999')).hits;
      expect(dsa.filter((h) => h.kind === 'advisory')).toEqual([
        {
          kind: 'advisory',
          id: 'DSA-9999-1',
          name: 'DSA-9999-1',
          detail: 'DSA openssl security update',
        },
      ]);
      expect(dsa.some((h) => h.kind === 'update' && h.id === 'u-new')).toBe(true);
      expect((await t.api.search('acme')).hits.filter((h) => h.kind === 'custom-update')).toEqual([
        { kind: 'custom-update', id: acme.id, name: 'Acme Agent 2.1', detail: 'Acme Agent 2.1' },
      ]);
      // An update by its version.
      expect((await t.api.search('3.0.2-1')).hits.filter((h) => h.kind === 'update')).toEqual([
        { kind: 'update', id: 'u-new', name: 'openssl 3.0.2-1', detail: 'version' },
      ]);
    });

    it('finds update groups, deployments, rules, custom updates, task sequences and images by name', async () => {
      const at = new Date().toISOString();
      const pkg = await insertPackage(t.db, 'zephyr-tools');
      const program = await t.api.createProgram(pkg, { name: 'Install', commandLine: 'true' });
      const deployment = await t.api.createDeployment({
        name: 'Plain offer',
        programId: program.id,
        collectionId: 'all-systems',
        purpose: 'available',
      });
      const by = { created_at: at, created_by: 'admin' };
      await t.db
        .insertInto('update_group')
        .values({
          id: 'ug-z',
          name: 'Zephyr patches',
          description: 'monthly',
          updated_at: at,
          ...by,
        })
        .execute();
      await t.db
        .insertInto('update_deployment')
        .values({
          id: 'ud-z',
          name: 'Zephyr patches to all',
          group_id: 'ug-z',
          deployment_id: deployment.id,
          package_id: pkg,
          repo_key: 'k',
          options: '{}',
          ...by,
        })
        .execute();
      await t.db
        .insertInto('update_rule')
        .values({
          id: 'ur-z',
          name: 'Zephyr Tuesday',
          description: '',
          filter: '{}',
          group_mode: 'new-group',
          group_id: null,
          collection_ids: '[]',
          phased: null,
          template: '{}',
          run_after_sync: 0,
          interval_hours: 0,
          enabled: 0,
          updated_at: at,
          last_run_at: null,
          last_run_id: null,
          running_since: null,
          ...by,
        })
        .execute();
      await t.db
        .insertInto('custom_update')
        .values({
          id: 'cu-z',
          title: 'Zephyr Editor 2.1',
          vendor: 'Zephyr Ltd',
          product: 'Editor',
          version: '2.1',
          classification: 'other',
          severity: 'low',
          description: '',
          refs: '{"cves":[],"links":[]}',
          detection: '{"all":[]}',
          applicability: null,
          install_program_id: null,
          uninstall_program_id: null,
          updated_at: at,
          ...by,
        })
        .execute();
      await t.db
        .insertInto('task_sequence')
        .values({
          id: 'ts-z',
          name: 'Zephyr workstation',
          description: '',
          kind: 'install-os',
          version: 3,
          created_at: at,
          updated_at: at,
          updated_by: 'admin',
        })
        .execute();
      await t.db
        .insertInto('task_sequence_deployment')
        .values({
          id: 'tsd-z',
          name: 'Zephyr rebuild',
          sequence_id: 'ts-z',
          version: 3,
          collection_id: 'all-systems',
          purpose: 'available',
          available_at: null,
          deadline: null,
          honor_windows: 1,
          pxe_password: null,
          updated_at: null,
          ...by,
        })
        .execute();
      await t.db
        .insertInto('os_image')
        .values({
          id: 'os-z',
          name: 'zephyr-base',
          version: 2,
          source: 'debootstrap',
          os_id: 'debian',
          os_version_id: '12',
          os_pretty_name: 'Debian GNU/Linux 12 (bookworm)',
          arch: 'amd64',
          manifest: '{}',
          archive_bytes: 1,
          used_bytes: 1,
          package_id: null,
          package_version_id: null,
          ...by,
        })
        .execute();
      await t.db
        .insertInto('boot_image')
        .values({
          id: 'bi-z',
          name: 'zephyr-boot',
          arch: 'amd64',
          version: 1,
          status: 'ready',
          progress: 100,
          progress_text: '',
          suite: 'bookworm',
          mirror: 'http://mirror.example.org/debian',
          extra_packages: '[]',
          driver_ids: '[]',
          site_url: '',
          boot_key_sha256: '',
          package_id: null,
          files: '[]',
          root_key: '',
          built_at: at,
          heartbeat_at: null,
          ...by,
        })
        .execute();
      const res = await t.api.search('zephyr');
      const found = res.hits
        .filter((h) => !['package', 'program', 'device'].includes(h.kind))
        .map((h) => [h.kind, h.id, h.name, h.detail]);
      // Grouped in SEARCH_KINDS order, each saying what it is.
      expect(found).toEqual([
        ['custom-update', 'cu-z', 'Zephyr Editor 2.1', 'Zephyr Ltd Editor 2.1'],
        ['update-group', 'ug-z', 'Zephyr patches', 'monthly'],
        ['update-deployment', 'ud-z', 'Zephyr patches to all', 'to All Systems'],
        ['update-rule', 'ur-z', 'Zephyr Tuesday', 'disabled'],
        ['task-sequence', 'ts-z', 'Zephyr workstation', 'install-os · version 3'],
        ['task-sequence-deployment', 'tsd-z', 'Zephyr rebuild', 'available · Zephyr workstation'],
        ['os-image', 'os-z', 'zephyr-base v2', 'Debian GNU/Linux 12 (bookworm) · amd64'],
        ['boot-image', 'bi-z', 'zephyr-boot v1', 'amd64 · ready'],
      ]);
    });

    it('leaves out users for a role that may not list them', async () => {
      const admin = await t.api.search('admin');
      expect(admin.hits.some((h) => h.kind === 'user' && h.name === 'admin')).toBe(true);
      await t.api.createUser({
        name: `looker-${dialect}`,
        password: 'looker password',
        role: 'read-only-analyst',
      });
      const analyst = new ApiClient({ baseUrl: t.server.adminUrl });
      analyst.setToken((await analyst.login(`looker-${dialect}`, 'looker password')).token);
      const res = await analyst.search('looker');
      expect(res.hits.some((h) => h.kind === 'user')).toBe(false);
      expect(res.hiddenKinds).toEqual(['user']);
    });
  });
});
