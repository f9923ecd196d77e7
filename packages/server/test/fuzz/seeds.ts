/**
 * The objects whose ids the fuzz cases put in path parameters and id fields: one of each resource,
 * created through the API from the document's own schemas (a valid instance, seeded ids filled
 * in), so a refusal is about the poisoned value, not about a missing object.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient, agentOps, armorKeyring } from '@steward/protocol';
import { decodeEnrolmentToken } from '@steward/protocol/node';
import { waitFor, type Site } from '../../../../test-support/site.js';
import { createPackageFromFiles } from '../../../../test-support/software.js';
import { createSigningKey, disposeSigningKey } from '../../../../test-support/apt-repo.js';
import { validRequestBody, type Credentials, type Seeds } from './admin-cases.js';
import type { Operation } from './openapi.js';
import { send } from './run.js';

export interface FuzzDevice {
  deviceId: string;
  /** `<deviceId>.<deviceKey>` for the device header. */
  auth: string;
}

/** Enrols a device with an enrolment secret through the agent API directly. */
export async function enrolWithSecret(
  site: Site,
  secret: string,
  hostname: string,
): Promise<FuzzDevice> {
  const r = await send(site.agentUrl, {
    method: 'POST',
    path: agentOps.device.enroll.path,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ secret, hostname, osFamily: 'debian', agentVersion: 'fuzz' }),
  });
  if (r.status !== 200) throw new Error(`enrol: ${r.status} ${r.text}`);
  const { deviceId, deviceKey } = JSON.parse(r.text) as { deviceId: string; deviceKey: string };
  return { deviceId, auth: `${deviceId}.${deviceKey}` };
}

/** The secret inside an enrolment token string. */
export function tokenSecret(token: { token?: string | null }): string {
  const decoded = decodeEnrolmentToken(token.token ?? '');
  if (!decoded.ok) throw new Error(decoded.error);
  return decoded.value.secret;
}

/** Enrols a device through the agent API directly: no agent process writing in the background. */
export async function enrolDevice(site: Site, hostname: string): Promise<FuzzDevice> {
  const token = await site.api.createToken({ maxUses: 1, description: 'fuzz' });
  return enrolWithSecret(site, tokenSecret(token), hostname);
}

/**
 * Waits until the site has evaluated a device's collection membership (added, or removed when
 * revoked): the scheduler writes those rows on its own, and must be done before rows are counted.
 */
export async function membershipSettled(
  site: Site,
  deviceId: string,
  member: boolean,
): Promise<void> {
  await waitFor(`all-systems membership of ${deviceId} = ${String(member)}`, async () => {
    const ids = (await site.api.collectionMembers('all-systems', { limit: 1000 })).items.map(
      (d) => d.id,
    );
    return ids.includes(deviceId) === member;
  });
}

/** An analyst session, and a session that was valid and is now logged out. */
export async function credentials(site: Site, token: string): Promise<Credentials> {
  await site.api.createUser({
    name: 'fuzz-analyst',
    password: 'fuzz-analyst-pw',
    role: 'read-only-analyst',
  });
  const analyst = new ApiClient({ baseUrl: site.adminUrl });
  const { token: analystToken } = await analyst.login('fuzz-analyst', 'fuzz-analyst-pw');
  const gone = new ApiClient({ baseUrl: site.adminUrl });
  const { token: loggedOut } = await gone.login(site.adminUser, site.adminPassword);
  gone.setToken(loggedOut);
  await gone.logout();
  if (analystToken === undefined || loggedOut === undefined)
    throw new Error('a bearer login returned no token');
  return { admin: token, analyst: analystToken, loggedOut };
}

export async function createSeeds(site: Site, ops: Operation[], token: string): Promise<Seeds> {
  const seeds: Seeds = { paths: {}, fields: {} };
  const byId = new Map(ops.map((o) => [o.id, o]));
  const create = async (opId: string, path: string, over: Record<string, unknown> = {}) => {
    const op = byId.get(opId);
    if (!op) throw new Error(`no operation ${opId} in the document`);
    const body = { ...(validRequestBody(op, seeds) as object), ...over };
    const r = await send(site.adminUrl, {
      method: op.method,
      path,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (r.status >= 300) throw new Error(`seed ${opId}: ${r.status} ${r.text}`);
    const parsed = JSON.parse(r.text) as {
      id?: string;
      name?: string;
      distributionPoint?: { id: string };
    };
    return parsed.id ?? parsed.distributionPoint?.id ?? parsed.name ?? '';
  };
  const device = await enrolDevice(site, 'fuzz-seed-device');
  await membershipSettled(site, device.deviceId, true);
  seeds.paths.devices = device.deviceId;
  seeds.fields.deviceId = device.deviceId;
  seeds.fields.deviceIds = device.deviceId;
  seeds.paths.users = await create('POST /api/v1/users', '/api/v1/users', {
    name: 'fuzz-victim',
    password: 'fuzz-victim-pw',
    role: 'read-only-analyst',
  });
  seeds.paths['enrolment-tokens'] = await create(
    'POST /api/v1/enrolment-tokens',
    '/api/v1/enrolment-tokens',
  );
  seeds.paths['inventory-classes'] = await create(
    'POST /api/v1/inventory-classes',
    '/api/v1/inventory-classes',
    { name: 'fuzzClass' },
  );
  seeds.fields.limitingCollectionId = 'all-systems';
  seeds.paths.collections = await create('POST /api/v1/collections', '/api/v1/collections', {
    name: 'fuzz-collection',
  });
  seeds.fields.collectionId = seeds.paths.collections;
  seeds.paths.revisions = '1';
  const pkg = await createPackageFromFiles(site.api, 'fuzz-package', [
    { path: 'install.sh', content: '#!/bin/sh\ntrue\n' },
  ]);
  seeds.paths.packages = pkg.version.packageId;
  seeds.fields.packageId = pkg.version.packageId;
  seeds.paths.versions = String(pkg.version.number);
  seeds.paths.files = pkg.files[0]?.sha256 ?? '';
  seeds.paths.programs = await create(
    'POST /api/v1/packages/{id}/programs',
    `/api/v1/packages/${seeds.paths.packages}/programs`,
    { name: 'fuzz-program' },
  );
  seeds.fields.programId = seeds.paths.programs;
  const dp = await create('POST /api/v1/distribution-points', '/api/v1/distribution-points', {
    name: 'fuzz-dp',
  });
  seeds.paths['distribution-points'] = dp;
  seeds.paths.members = dp;
  seeds.fields.dpIds = dp;
  seeds.fields.memberIds = dp;
  seeds.paths['dp-groups'] = await create('POST /api/v1/dp-groups', '/api/v1/dp-groups', {
    name: 'fuzz-dp-group',
  });
  seeds.fields.dpGroupIds = seeds.paths['dp-groups'];
  seeds.paths['boundary-groups'] = await create(
    'POST /api/v1/boundary-groups',
    '/api/v1/boundary-groups',
    { name: 'fuzz-boundary-group' },
  );
  seeds.fields.boundaryGroupId = seeds.paths['boundary-groups'];
  seeds.fields.boundaryGroupIds = seeds.paths['boundary-groups'];
  seeds.paths.boundaries = await create('POST /api/v1/boundaries', '/api/v1/boundaries', {
    name: 'fuzz-boundary',
    value: '10.99.0.0/16',
  });
  // A discovery sweep with no targets sweeps the boundaries: 10.99.0.0/16 is not this machine,
  // and tests send traffic only to this machine. One address per sweep at most makes every
  // sweep the fuzz can build (the boundaries, or fuzz strings as targets) a refusal.
  // The seed sweep probes nothing: one loopback address, no ports, no ping.
  seeds.paths.sweeps = await create('POST /api/v1/discovery/sweeps', '/api/v1/discovery/sweeps', {
    ranges: ['127.0.0.1-127.0.0.1'],
    ports: [],
    icmp: false,
  });
  const limited = await send(site.adminUrl, {
    method: 'PATCH',
    path: '/api/v1/discovery/settings',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ maxAddressesPerSweep: 1 }),
  });
  if (limited.status !== 200)
    throw new Error(`seed discovery limit: ${limited.status} ${limited.text}`);
  seeds.paths.deployments = await create('POST /api/v1/deployments', '/api/v1/deployments');
  seeds.paths['maintenance-windows'] = await create(
    'POST /api/v1/collections/{id}/maintenance-windows',
    `/api/v1/collections/${seeds.paths.collections}/maintenance-windows`,
    { name: 'fuzz-window' },
  );
  seeds.paths['phased-deployments'] = await create(
    'POST /api/v1/phased-deployments',
    '/api/v1/phased-deployments',
    { name: 'fuzz-phased' },
  );
  seeds.paths['client-settings-objects'] = await create(
    'POST /api/v1/client-settings-objects',
    '/api/v1/client-settings-objects',
    { name: 'fuzz-settings', priority: 900, settings: {} },
  );
  // Client push: no account, so no job and no connection test can start (a push or a test
  // resolves and contacts its hosts, and tests send traffic only to this machine). The job,
  // target, account and version routes are fuzzed against ids that name nothing.
  seeds.paths.accounts = 'fuzz-missing-account';
  seeds.paths.jobs = 'fuzz-missing-job';
  seeds.paths.targets = 'fuzz-missing-target';
  seeds.paths['host-keys'] = '127.0.0.1';
  seeds.paths['agent-versions'] = '0.0.0-fuzz';
  // A collection's discovered member, by address: loopback (a member is stored, never contacted).
  seeds.paths['discovered-members'] = '127.0.0.7';
  // Discovered-member rules (ADR 0038) are fuzzed against an id that names no rule.
  seeds.paths['discovered-rules'] = 'fuzz-missing-rule';
  // An update source on a loopback port nothing listens on: its syncs (manual or scheduled) fail
  // as unreachable without a packet leaving the machine. A real keyring, so it can be created.
  const keyDir = mkdtempSync(join(tmpdir(), 'steward-fuzz-key-'));
  const key = createSigningKey(keyDir);
  try {
    seeds.paths['update-sources'] = await create(
      'POST /api/v1/update-sources',
      '/api/v1/update-sources',
      {
        name: 'fuzz-update-source',
        url: 'http://127.0.0.1:9/fuzz',
        // No scheduled syncs: the scheduler's would write rows in the middle of refused groups.
        enabled: false,
        keyring: armorKeyring(readFileSync(key.keyringFile)),
      },
    );
    // An upgrade package (ADR 0102) for the /upgrade-packages/{id} routes, with the same key.
    seeds.paths['upgrade-packages'] = await create(
      'POST /api/v1/upgrade-packages',
      '/api/v1/upgrade-packages',
      {
        name: 'fuzz-upgrade-package',
        fromRelease: { codename: 'bookworm', version: '12' },
        targetRelease: { codename: 'trixie', version: '13' },
        sources: [{ url: 'http://127.0.0.1:9/debian', suite: 'trixie', components: ['main'] }],
        keyring: armorKeyring(readFileSync(key.keyringFile)),
      },
    );
  } finally {
    disposeSigningKey(key);
    rmSync(keyDir, { recursive: true, force: true });
  }
  // The driver catalog (ADR 0055) is fuzzed against an id that names no driver: importing a
  // real one needs a .deb built by gcc and dpkg-deb (drivers.int.test.ts does that).
  seeds.paths.drivers = 'fuzz-missing-driver';
  // An update group with no updates (the fuzz catalog is empty); its member routes are fuzzed
  // against an update id that names nothing.
  seeds.paths['update-groups'] = await create(
    'POST /api/v1/update-groups',
    '/api/v1/update-groups',
    {
      name: 'fuzz-update-group',
      updateIds: undefined,
    },
  );
  // An automatic deployment rule (ADR 0072) over the fuzz source, deployed to the seed
  // collection; disabled and not after syncs, so the scheduler never runs it between cases.
  seeds.paths['update-rules'] = await create('POST /api/v1/update-rules', '/api/v1/update-rules', {
    name: 'fuzz-update-rule',
    filter: { sourceIds: [seeds.paths['update-sources']] },
    groupMode: 'new-group',
    groupId: undefined,
    collectionIds: [seeds.paths.collections],
    phased: null,
    enabled: false,
    runAfterSync: false,
    intervalHours: 0,
  });
  // A rollup is keyed by its update source (id or name).
  seeds.paths['update-rollups'] = seeds.paths['update-sources'];
  // Advisories (ADR 0048): a feed on a loopback port nothing listens on (an import on demand
  // fails as unreachable and writes nothing; a month's interval keeps the scheduler off it);
  // advisory and CVE routes are fuzzed against ids that name nothing.
  seeds.paths['advisory-feeds'] = await create(
    'POST /api/v1/advisory-feeds',
    '/api/v1/advisory-feeds',
    {
      name: 'fuzz-advisory-feed',
      format: 'osv',
      url: 'http://127.0.0.1:9/fuzz-osv.json',
      intervalHours: 24 * 31,
    },
  );
  seeds.paths.advisories = 'DSA-0000-0';
  seeds.paths.cves = 'CVE-1999-0000';
  // An update's compliance (/updates/{id}/...): read-only routes, fuzzed against an id that names
  // no update (the catalog of the fuzz site is empty: its only source never syncs).
  seeds.paths.updates = 'fuzz-missing-update';
  // A saved view of the device list (ADR 0034), for the /views/{id} routes.
  seeds.paths.views = await create('POST /api/v1/views', '/api/v1/views', {
    name: 'fuzz-view',
    state: { columns: ['name', 'inventory.cpu.model'] },
  });
  // A custom report (ADR 0053) for the /sql-reports/{id} routes: a run reads a view, writes nothing.
  seeds.paths['sql-reports'] = await create('POST /api/v1/sql-reports', '/api/v1/sql-reports', {
    id: 'fuzz-report',
    title: 'Fuzz report',
    sql: 'select device_name from v_device',
    parameters: [],
  });
  // A custom update (ADR 0059) for the /custom-updates/{id} routes, without programs (the
  // generated ids would name none).
  seeds.paths['custom-updates'] = await create(
    'POST /api/v1/custom-updates',
    '/api/v1/custom-updates',
    {
      title: 'Fuzz custom update',
      vendor: 'Fuzz',
      product: 'Seed',
      version: '1',
      detection: { match: 'all', rules: [{ kind: 'file-exists', path: '/opt/fuzz' }] },
      applicability: null,
      installProgramId: undefined,
      uninstallProgramId: undefined,
    },
  );
  // Update deployments (ADR 0056) need a published group (content built from a synced source):
  // the fuzz site has none, so their routes are fuzzed against an id that names nothing.
  seeds.paths['update-deployments'] = 'fuzz-missing-update-deployment';
  // A task sequence (ADR 0069) for the /task-sequences/{id} routes; its version 1 matches the
  // shared `versions` seed.
  seeds.paths['task-sequences'] = await create(
    'POST /api/v1/task-sequences',
    '/api/v1/task-sequences',
    {
      name: 'fuzz-task-sequence',
      kind: 'custom',
      steps: [],
    },
  );
  // A task-sequence deployment (ADR 0076) of that sequence, for the /task-sequence-deployments/{id}
  // routes: available to clients, so it needs no deadline.
  seeds.paths['task-sequence-deployments'] = await create(
    'POST /api/v1/task-sequence-deployments',
    '/api/v1/task-sequence-deployments',
    {
      sequenceId: seeds.paths['task-sequences'],
      collectionId: 'all-systems',
      purpose: 'available',
    },
  );
  // One device's run of it (ADR 0084): the seeded device, a member of all-systems.
  seeds.paths.runs = device.deviceId;
  // Boot images (ADR 0065): building one needs debootstrap and a mirror (boot-image-vm.int.test.ts
  // does that); their routes are fuzzed against an id that names none. An imported computer for
  // its delete route; unknown computers exist only once a boot image has run.
  seeds.paths['boot-images'] = 'fuzz-missing-boot-image';
  seeds.paths['unknown-computers'] = 'fuzz-missing-unknown-computer';
  // Media (ADR 0089) are built from a built boot image, which the fuzz site has none of.
  seeds.paths['media'] = 'fuzz-missing-media';
  // OS images (ADR 0085): importing one needs its archives in the library first; the routes
  // are fuzzed against an id that names none (a generated manifest is refused CONTENT_MISSING).
  seeds.paths['os-images'] = 'fuzz-missing-os-image';
  // OS image builds (ADR 0093) run debootstrap; the fuzz site's apt sources are empty, so a
  // fuzzed build names a loopback mirror or is refused OS_IMAGE_NO_MIRROR.
  seeds.paths['os-image-builds'] = 'fuzz-missing-os-image-build';
  seeds.paths['imported-computers'] = await create(
    'POST /api/v1/imported-computers',
    '/api/v1/imported-computers',
    { name: 'fuzz-imported', mac: '52:54:00:fa:22:01' },
  );
  // User-state records (ADR 0096) exist only once a task sequence captured state; their routes
  // are fuzzed against an id that names none. A computer association (the replace scenario):
  // the imported computer's state goes to the seeded device.
  seeds.paths['user-state'] = 'fuzz-missing-user-state';
  seeds.paths['computer-associations'] = await create(
    'POST /api/v1/computer-associations',
    '/api/v1/computer-associations',
    { source: 'fuzz-imported', destination: device.deviceId },
  );
  return seeds;
}
