import { cpus, networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CollectContext } from '../types.js';
import { cpuCollector, parseCpuinfo } from './cpu.js';
import { diskCollector, parseMounts, parseNodevTypes, realFilesystems } from './disk.js';
import { ipAddressCollector, isVirtualAdapter, networkAdapterCollector } from './network.js';
import {
  mergeSystemdServices,
  parseListUnitFiles,
  parseListUnits,
  parseProcStat,
  serviceCollector,
  shortDescription,
} from './service.js';
import { parseLast, parseWho, userCollector, whoSessions } from './users.js';

const ctx: CollectContext = { startedAt: new Date(), softwareScanPaths: [], maxSoftwareFiles: 1 };

const CPUINFO_2S = ['0', '1', '2', '3']
  .map(
    (n) => `processor\t: ${n}
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz
cpu MHz\t\t: 2100.000
physical id\t: ${Number(n) < 2 ? 0 : 1}
core id\t\t: ${Number(n) % 2}
cpu cores\t: 2
`,
  )
  .join('\n');

describe('cpu', () => {
  it('counts sockets, cores and threads from /proc/cpuinfo', () => {
    expect(parseCpuinfo(CPUINFO_2S)).toEqual({
      model: 'Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz',
      vendor: 'GenuineIntel',
      sockets: 2,
      cores: 4,
      threads: 4,
      mhz: 2100,
    });
  });

  it('reports this machine', async () => {
    const [cpu] = await cpuCollector.collect(ctx);
    expect(cpu?.['threads']).toBe(cpus().length);
    expect(Number(cpu?.['cores'])).toBeLessThanOrEqual(cpus().length);
  });
});

describe('disk', () => {
  const MOUNTS = `proc /proc proc rw 0 0
/dev/sda1 / ext4 rw 0 0
/dev/sda2 /mnt/my\\040disk xfs rw 0 0
tmpfs /run tmpfs rw 0 0
overlay / overlay rw 0 0
/dev/sda1 / ext4 rw 0 0
tank/data /tank zfs rw 0 0
`;
  const FILESYSTEMS = 'nodev\tproc\nnodev\ttmpfs\nnodev\toverlay\nnodev\tzfs\n\text4\n\txfs\n';

  it('keeps real file systems once, decoding escaped mount points', () => {
    const real = realFilesystems(parseMounts(MOUNTS), parseNodevTypes(FILESYSTEMS));
    expect(real.map((m) => `${m.device} ${m.mountPoint} ${m.fsType}`)).toEqual([
      '/dev/sda1 / ext4',
      '/dev/sda2 /mnt/my disk xfs',
      'overlay / overlay',
      'tank/data /tank zfs',
    ]);
  });

  it('reports the root file system of this machine with a size', async () => {
    const disks = await diskCollector.collect(ctx);
    const root = disks.find((d) => d['mountPoint'] === '/');
    expect(root).toBeDefined();
    expect(Number(root?.['sizeMb'])).toBeGreaterThan(0);
    expect(Number(root?.['freeMb'])).toBeLessThanOrEqual(Number(root?.['sizeMb']));
  });
});

describe('network', () => {
  it('classifies adapters', () => {
    expect(
      isVirtualAdapter('eth0', '../../devices/pci0000:00/0000:00:03.0/virtio2/net/eth0', false),
    ).toBe(false);
    expect(isVirtualAdapter('lo', '../../devices/virtual/net/lo', false)).toBe(true);
    expect(isVirtualAdapter('veth12ab', '../../devices/pci0000:00/x', false)).toBe(true);
    expect(isVirtualAdapter('br0', '../../devices/virtual/net/br0', true)).toBe(true);
    expect(isVirtualAdapter('ens3', '../../devices/virtual/net/ens3', false)).toBe(true);
  });

  it('reports the adapters and addresses of this machine', async () => {
    const adapters = await networkAdapterCollector.collect(ctx);
    expect(adapters.find((a) => a['name'] === 'lo')?.['virtual']).toBe(true);
    const addresses = await ipAddressCollector.collect(ctx);
    const expected = Object.values(networkInterfaces()).reduce(
      (n, list) => n + (list?.length ?? 0),
      0,
    );
    expect(addresses).toHaveLength(expected);
    expect(addresses).toContainEqual({
      adapter: 'lo',
      address: '127.0.0.1',
      family: 'IPv4',
      prefixLength: 8,
    });
  });
});

describe('service', () => {
  const UNITS = `cron.service        loaded    active   running Regular background program processing daemon
ssh.service         loaded    inactive dead    OpenBSD Secure Shell server
● gone.service      not-found inactive dead    gone.service
nginx.service       loaded    failed   failed  A high performance web server
`;
  const FILES = `cron.service       enabled  enabled
ssh.service        disabled enabled
getty@.service     enabled  enabled
nginx.service      enabled  enabled
rsync.service      disabled enabled
`;

  it('merges systemctl units with unit files', () => {
    const services = mergeSystemdServices(parseListUnits(UNITS), parseListUnitFiles(FILES));
    expect(services).toEqual([
      {
        name: 'cron',
        description: 'Regular background program processing daemon',
        state: 'active',
        subState: 'running',
        enabled: true,
      },
      {
        name: 'nginx',
        description: 'A high performance web server',
        state: 'failed',
        subState: 'failed',
        enabled: true,
      },
      { name: 'rsync', description: '', state: 'inactive', subState: 'dead', enabled: false },
      {
        name: 'ssh',
        description: 'OpenBSD Secure Shell server',
        state: 'inactive',
        subState: 'dead',
        enabled: false,
      },
    ]);
  });

  it('reads init script headers and /proc/<pid>/stat', () => {
    expect(
      shortDescription('#!/bin/sh\n### BEGIN INIT INFO\n# Short-Description: Start the thing\n'),
    ).toBe('Start the thing');
    expect(parseProcStat('123 (my (odd) name) S 1 123 123 0 -1')).toEqual({
      comm: 'my (odd) name',
      ppid: 1,
    });
  });

  it('reports something real on this machine (systemd or not)', async () => {
    const services = await serviceCollector.collect(ctx);
    expect(services.length).toBeGreaterThan(0);
    const pid1 = readFileSync('/proc/1/comm', 'utf8').trim();
    if (pid1 !== 'systemd') {
      // Without systemd, PID 1 itself is reported as a running service.
      expect(services).toContainEqual(
        expect.objectContaining({ name: pid1, state: 'active', subState: 'running' }),
      );
    }
  });
});

describe('users and sessions', () => {
  it('parses who and last output', () => {
    const sessions = parseWho(
      'alice    pts/0        2024-03-05 09:15 (10.0.0.7)\nbob      tty1         2024-03-05 08:00\n',
    );
    expect(sessions.map((s) => [s.user, s.terminal, s.host])).toEqual([
      ['alice', 'pts/0', '10.0.0.7'],
      ['bob', 'tty1', null],
    ]);
    expect(sessions[0]?.since).toBe(new Date(2024, 2, 5, 9, 15).toISOString());
    // The C locale prints no year: this year, or last year for a date that would be in the future.
    const now = new Date(2025, 0, 10, 12, 0);
    const c = parseWho(
      'carol    pts/1        Jan  9 22:05 (laptop.lan)\ndave     pts/2        Dec 31 23:59\n',
      now,
    );
    expect(c.map((s) => [s.user, s.host, s.since])).toEqual([
      ['carol', 'laptop.lan', new Date(2025, 0, 9, 22, 5).toISOString()],
      ['dave', null, new Date(2024, 11, 31, 23, 59).toISOString()],
    ]);
    const last = parseLast(
      'reboot   system boot  6.1.0-18-amd64   2024-03-05T07:59:00+00:00   still running\nalice    pts/0        10.0.0.7         2024-03-05T09:15:11+00:00   still logged in\n\nwtmp begins Fri Mar  1 00:00:00 2024\n',
    );
    expect(last).toEqual({ user: 'alice', at: '2024-03-05T09:15:11.000Z' });
    expect(parseLast('\nwtmp begins Tue May 20 00:00:00 2025\n')).toBeUndefined();
  });

  it.skipIf(!existsSync('/usr/bin/who'))('reads a real utmp record through who', async () => {
    // struct utmp (glibc, 64-bit): type, pid, line[32], id[4], user[32], host[256], exit, session, tv, addr.
    const rec = Buffer.alloc(384);
    rec.writeInt16LE(7, 0); // USER_PROCESS
    rec.writeInt32LE(4242, 4);
    rec.write('pts/7', 8);
    rec.write('ts/7', 40);
    rec.write('alice', 44);
    rec.write('10.1.2.3', 76);
    const loginAt = Math.floor(Date.now() / 60_000) * 60 - 3600;
    rec.writeInt32LE(loginAt, 340);
    const file = join(mkdtempSync(join(tmpdir(), 'steward-utmp-')), 'utmp');
    writeFileSync(file, rec);
    expect(await whoSessions(file)).toEqual([
      {
        user: 'alice',
        terminal: 'pts/7',
        host: '10.1.2.3',
        since: new Date(loginAt * 1000).toISOString(),
      },
    ]);
  });

  it('reports a consistent user instance on this machine (empty is fine)', async () => {
    const [user] = await userCollector.collect(ctx);
    const names = String(user?.['loggedOnUsers']);
    expect(user?.['loggedOnCount']).toBe(names === '' ? 0 : names.split(',').length);
  });
});
