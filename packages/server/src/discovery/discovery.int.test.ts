import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError, StatusMessages, type Sweep } from '@steward/protocol';
import { createTestContext, postgresReachable, testDialects } from '../../test/support/db.js';
import {
  ADMIN,
  ANALYST,
  countRows,
  insertDevice,
  ManualClock,
} from '../../test/support/collections.js';
import { waitFor } from '../../../../test-support/site.js';
import type { SiteContext } from '../context.js';
import { BoundaryService } from '../distribution/boundary-service.js';
import { DiscoveryService } from './service.js';

/**
 * Network discovery against this machine only (the NETWORK RULE of ADR 0022's tests): listeners
 * on loopback addresses of 127.0.0.16/28, a real sshd when the system has one, and sweeps of that
 * subnet. Loopback answers ICMP on every address, so the TCP cases sweep without ICMP.
 */

const pgUp = await postgresReachable();
if (!pgUp)
  console.warn(
    'PostgreSQL is unreachable: the postgres cases of discovery.int.test.ts are SKIPPED',
  );

const FAKE_SSH = '127.0.0.18';
const PLAIN = '127.0.0.20';
const REAL_SSH = '127.0.0.22';
const PLAIN_PORT = 18_080;
const haveSshd = existsSync('/usr/sbin/sshd') && existsSync('/usr/bin/ssh-keygen');

function listen(address: string, port: number, greeting?: string): Promise<Server> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    if (greeting !== undefined) socket.end(greeting);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve(server));
  });
}

function close(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

/** A real OpenSSH server on REAL_SSH:22, ready once it says so on stderr. */
async function startSshd(dir: string): Promise<ChildProcess> {
  execFileSync('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host')]);
  mkdirSync('/run/sshd', { recursive: true });
  const child = spawn(
    '/usr/sbin/sshd',
    [
      '-D',
      '-e',
      '-f',
      '/dev/null',
      '-o',
      `ListenAddress=${REAL_SSH}:22`,
      '-o',
      `HostKey=${join(dir, 'host')}`,
      '-o',
      'PidFile=none',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (b: Buffer) => {
      err += b.toString();
      if (err.includes('Server listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`sshd exited (${code}): ${err}`)));
  });
  return child;
}

let fakeSsh: Server | undefined;
let plain: Server | undefined;
let sshd: ChildProcess | undefined;
let sshDir = '';

beforeAll(async () => {
  fakeSsh = await listen(FAKE_SSH, 22, 'SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10\r\n');
  if (haveSshd) {
    sshDir = mkdtempSync(join(tmpdir(), 'steward-sshd-'));
    sshd = await startSshd(sshDir);
  } else {
    console.warn('no /usr/sbin/sshd: a fake banner stands in for the real OpenSSH server');
    plainSshStandIn = await listen(REAL_SSH, 22, 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n');
  }
});
let plainSshStandIn: Server | undefined;

afterAll(async () => {
  await close(fakeSsh);
  await close(plainSshStandIn);
  if (sshd) {
    const exited = new Promise((r) => sshd?.once('exit', r));
    sshd.kill('SIGTERM');
    await exited;
  }
  if (sshDir) rmSync(sshDir, { recursive: true, force: true });
});

describe.each(testDialects)('network discovery on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !pgUp)('', () => {
    let ctx: SiteContext;
    let cleanup: () => Promise<void>;
    let service: DiscoveryService;
    const clock = new ManualClock(new Date('2026-12-06T10:00:00.000Z'));

    beforeEach(async () => {
      ({ ctx, cleanup } = await createTestContext(dialect, clock));
      service = new DiscoveryService(ctx);
      // Names from /etc/hosts only: reverse DNS would ask the resolver in /etc/resolv.conf,
      // off this machine (tests send traffic only to this machine).
      await service.updateSettings(ADMIN, { nameLookup: 'hosts-file' });
      plain = await listen(PLAIN, PLAIN_PORT);
    });
    afterEach(async () => {
      await service?.stop();
      await close(plain);
      plain = undefined;
      await cleanup?.();
    });

    const finished = (id: string): Promise<Sweep> =>
      waitFor(
        `sweep ${id} to end`,
        async () => {
          const s = await service.getSweep(ADMIN, id);
          return s.state === 'running' ? undefined : s;
        },
        60_000,
        50,
      );

    const messages = async (id: number): Promise<string[][]> => {
      const rows = await ctx.db.kysely
        .selectFrom('status_message')
        .select('insertion_strings')
        .where('message_id', '=', id)
        .execute();
      // jsonb on PostgreSQL arrives parsed; text on SQLite.
      return rows.map((r): string[] => {
        const v: unknown =
          typeof r.insertion_strings === 'string'
            ? JSON.parse(r.insertion_strings)
            : r.insertion_strings;
        return Array.isArray(v) ? v.map(String) : [];
      });
    };

    it('finds exactly the listening hosts of 127.0.0.16/28, with banners and OS guesses', async () => {
      await insertDevice(ctx.db.kysely, { id: 'dev-fake', name: 'fake-ssh-box' });
      await ctx.db.kysely
        .updateTable('device')
        .set({ ip_addresses: `10.9.9.9,${FAKE_SSH}` })
        .where('id', '=', 'dev-fake')
        .execute();
      const started = await service.startSweep(ADMIN, {
        subnets: ['127.0.0.16/28'],
        ports: [22, PLAIN_PORT],
        icmp: false,
      });
      expect(started).toMatchObject({ state: 'running', total: 16, targets: ['127.0.0.16/28'] });
      const sweep = await finished(started.id);
      expect(sweep).toMatchObject({ state: 'completed', done: 16, found: 3, error: null });

      const list = await service.listMachines(ADMIN, {});
      expect(list.items.map((m) => m.address)).toEqual([FAKE_SSH, PLAIN, REAL_SSH]);
      const [fake, open, real] = list.items;
      expect(fake).toMatchObject({
        openPorts: [22],
        sshBanner: 'SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10',
        osGuess: 'Ubuntu 22.04',
        deviceId: 'dev-fake',
        deviceName: 'fake-ssh-box',
        pingable: false,
        lastSweepId: sweep.id,
      });
      expect(open).toMatchObject({
        openPorts: [PLAIN_PORT],
        sshBanner: null,
        osGuess: null,
        deviceId: null,
      });
      expect(real?.openPorts).toEqual([22]);
      expect(real?.sshBanner).toMatch(/^SSH-2\.0-OpenSSH_9\.2p1 Debian-2\+deb12u\d+$/);
      expect(real?.osGuess).toBe('Debian 12');
      expect(fake?.firstSeenAt).toBe('2026-12-06T10:00:00.000Z');

      // Filters: with an agent, without one (push candidates), a search.
      expect(
        (await service.listMachines(ADMIN, { hasAgent: true })).items.map((m) => m.address),
      ).toEqual([FAKE_SSH]);
      expect((await service.listMachines(ADMIN, { hasAgent: false })).total).toBe(2);
      expect(
        (await service.listMachines(ANALYST, { search: 'debian' })).items.map((m) => m.address),
      ).toEqual([REAL_SSH]);

      expect(await messages(StatusMessages.DISCOVERY_SWEEP_STARTED.id)).toEqual([
        [sweep.id, 'alice', 'on-demand', '16', '127.0.0.16/28'],
      ]);
      expect(await messages(StatusMessages.DISCOVERY_SWEEP_COMPLETED.id)).toEqual([
        [sweep.id, '16', '3'],
      ]);

      // A second sweep an hour later: seen again, first sighting kept; the plain host is gone.
      await close(plain);
      plain = undefined;
      clock.advanceMinutes(60);
      const second = await finished(
        (
          await service.startSweep(ADMIN, {
            ranges: ['127.0.0.16-127.0.0.31'],
            ports: [22, PLAIN_PORT],
            icmp: false,
          })
        ).id,
      );
      expect(second).toMatchObject({
        state: 'completed',
        found: 2,
        targets: ['127.0.0.16-127.0.0.31'],
      });
      const after = await service.listMachines(ADMIN, {});
      const byAddress = new Map(after.items.map((m) => [m.address, m]));
      expect(byAddress.get(FAKE_SSH)).toMatchObject({
        firstSeenAt: '2026-12-06T10:00:00.000Z',
        lastSeenAt: '2026-12-06T11:00:00.000Z',
        lastSweepId: second.id,
      });
      expect(byAddress.get(PLAIN)).toMatchObject({
        lastSeenAt: '2026-12-06T10:00:00.000Z',
        lastSweepId: sweep.id,
      });
      expect((await service.listSweeps(ADMIN, {})).items.map((s) => s.id)).toEqual([
        second.id,
        sweep.id,
      ]);
    });

    it('sends an ICMP echo through the system ping (loopback answers on every address)', async () => {
      const sweep = await finished(
        (await service.startSweep(ADMIN, { subnets: ['127.0.0.24/30'], ports: [] })).id,
      );
      expect(sweep).toMatchObject({ state: 'completed', found: 4, icmp: true });
      const list = await service.listMachines(ADMIN, {});
      expect(list.items.every((m) => m.pingable && m.openPorts.length === 0)).toBe(true);
    });

    it('links a machine to the enrolled device whose host name its reverse DNS gives', async () => {
      // /etc/hosts names 127.0.0.1; the device carries one of those names.
      const names = await import('node:dns/promises').then((d) => d.reverse('127.0.0.1'));
      const name = names[0];
      if (name === undefined) return;
      await insertDevice(ctx.db.kysely, { id: 'dev-named', name: name.toUpperCase() });
      const local = await listen('127.0.0.1', 0);
      const address = local.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      try {
        await finished(
          (
            await service.startSweep(ADMIN, {
              ranges: ['127.0.0.1-127.0.0.1'],
              ports: [port],
              icmp: false,
            })
          ).id,
        );
      } finally {
        await close(local);
      }
      const [m] = (await service.listMachines(ADMIN, {})).items;
      expect(m).toMatchObject({ address: '127.0.0.1', deviceId: 'dev-named', dnsName: name });
    });

    it('defaults to the site boundaries, honours the probe rate, and can be cancelled', async () => {
      await new BoundaryService(ctx).createBoundary(ADMIN, {
        name: 'lab',
        type: 'subnet',
        value: '127.0.0.16/28',
      });
      await new BoundaryService(ctx).createBoundary(ADMIN, {
        name: 'v6',
        type: 'subnet',
        value: 'fd00::/64',
      });
      await service.updateSettings(ADMIN, { probesPerSecond: 20 });
      const t0 = Date.now();
      const sweep = await finished(
        (await service.startSweep(ADMIN, { ports: [PLAIN_PORT], icmp: false })).id,
      );
      // 16 probes 50 ms apart: at least 750 ms.
      expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
      expect(sweep).toMatchObject({ state: 'completed', targets: ['127.0.0.16/28'], found: 1 });

      await service.updateSettings(ADMIN, { probesPerSecond: 5 });
      const slow = await service.startSweep(ADMIN, {
        subnets: ['127.0.0.0/24'],
        ports: [PLAIN_PORT],
        icmp: false,
      });
      const cancelled = await service.cancelSweep(ADMIN, slow.id);
      expect(cancelled.state).toBe('cancelled');
      expect(cancelled.done).toBeLessThan(256);
      expect(cancelled.error).toBe('cancelled by alice');
      expect(await messages(StatusMessages.DISCOVERY_SWEEP_CANCELLED.id)).toHaveLength(1);
      await expect(service.cancelSweep(ADMIN, slow.id)).rejects.toMatchObject({
        code: 'DISCOVERY_SWEEP_FINISHED',
      });
    });

    it('refuses bad targets and sweeps larger than the limit, writing nothing', async () => {
      const refused = async (req: Parameters<DiscoveryService['startSweep']>[1]) => {
        const err: unknown = await service.startSweep(ADMIN, req).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(AppError);
        return err instanceof AppError ? err.code : undefined;
      };
      expect(await refused({ subnets: ['127.0.0.0/33'] })).toBe('DISCOVERY_INVALID_TARGET');
      expect(await refused({ ranges: ['127.0.0.9-127.0.0.1'] })).toBe('DISCOVERY_INVALID_TARGET');
      expect(await refused({ subnets: ['fd00::/120'] })).toBe('DISCOVERY_INVALID_TARGET');
      expect(await refused({ subnets: ['10.0.0.0/8'] })).toBe('DISCOVERY_TOO_MANY_ADDRESSES');
      expect(await refused({})).toBe('DISCOVERY_NO_TARGETS');
      await service.updateSettings(ADMIN, { maxAddressesPerSweep: 8 });
      expect(await refused({ subnets: ['127.0.0.16/28'] })).toBe('DISCOVERY_TOO_MANY_ADDRESSES');
      await expect(
        service.startSweep(ANALYST, { subnets: ['127.0.0.16/30'] }),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(await countRows(ctx.db.kysely, 'discovery_sweep')).toBe(0);
      expect(await countRows(ctx.db.kysely, 'discovered_machine')).toBe(0);
      expect(await messages(StatusMessages.DISCOVERY_SWEEP_STARTED.id)).toEqual([]);
    });

    it('runs the schedule only when it is on and its interval has passed', async () => {
      await new BoundaryService(ctx).createBoundary(ADMIN, {
        name: 'lab',
        type: 'range',
        value: '127.0.0.20-127.0.0.21',
      });
      await service.runScheduled();
      expect(await countRows(ctx.db.kysely, 'discovery_sweep')).toBe(0);
      await service.updateSettings(ADMIN, {
        scheduleEnabled: true,
        scheduleIntervalSeconds: 3 * 24 * 3600,
      });
      await service.runScheduled();
      const [first] = (await service.listSweeps(ADMIN, {})).items;
      expect(first).toMatchObject({
        trigger: 'schedule',
        requestedBy: 'system',
        targets: ['127.0.0.20-127.0.0.21'],
      });
      await finished(first?.id ?? '');
      clock.advanceMinutes(24 * 60);
      await service.runScheduled();
      expect(await countRows(ctx.db.kysely, 'discovery_sweep')).toBe(1);
      clock.advanceMinutes(2 * 24 * 60);
      await service.runScheduled();
      expect(await countRows(ctx.db.kysely, 'discovery_sweep')).toBe(2);
    });
  });
});
