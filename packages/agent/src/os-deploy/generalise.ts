import { access, mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What makes a machine itself, removed from a captured image (paths under its root). */
export const IDENTITY_PATHS = [
  'var/lib/dbus/machine-id',
  'var/lib/steward-agent',
  'var/lib/steward-first-boot',
  'etc/udev/rules.d/70-persistent-net.rules',
  'var/lib/systemd/random-seed',
  'var/lib/systemd/credential.secret',
] as const;

const KEYGEN_UNIT = 'steward-ssh-host-keys.service';

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Generalises a system mounted at `root` (ADR 0077): an empty /etc/machine-id (systemd makes a
 * new one on the first boot), no SSH host keys (a unit makes new ones before sshd starts),
 * host name `localhost`, no agent identity or state, no DHCP leases, no persistent NIC names
 * and no journal of the reference machine. Returns what it removed, for the step's output.
 */
export async function generalise(root: string): Promise<string[]> {
  const removed: string[] = [];
  const drop = async (rel: string) => {
    const p = join(root, rel);
    if (!(await exists(p))) return;
    await rm(p, { recursive: true, force: true });
    removed.push(`/${rel}`);
  };
  await mkdir(join(root, 'etc'), { recursive: true });
  // Empty, not absent: an absent file makes systemd mount /etc read-only-unsafe first boot.
  await writeFile(join(root, 'etc/machine-id'), '', { mode: 0o444 });
  await writeFile(join(root, 'etc/hostname'), 'localhost\n', { mode: 0o644 });
  for (const rel of IDENTITY_PATHS) await drop(rel);
  const ssh = join(root, 'etc/ssh');
  for (const f of await readdir(ssh).catch(() => [])) {
    if (f.startsWith('ssh_host_')) await drop(`etc/ssh/${f}`);
  }
  for (const dir of ['var/lib/dhcp', 'var/log/journal']) {
    for (const f of await readdir(join(root, dir)).catch(() => [])) await drop(`${dir}/${f}`);
  }
  if (await exists(join(root, 'usr/sbin/sshd'))) await sshKeysOnFirstBoot(root);
  return removed;
}

/** Debian's sshd does not make host keys at boot (its postinst did, once): this unit does. */
async function sshKeysOnFirstBoot(root: string): Promise<void> {
  const units = join(root, 'etc/systemd/system');
  await mkdir(join(units, 'multi-user.target.wants'), { recursive: true });
  await writeFile(
    join(units, KEYGEN_UNIT),
    `# Written by Steward (capture): new SSH host keys for a machine made from this image.
[Unit]
Description=Steward: SSH host keys for this machine
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=multi-user.target
`,
    { mode: 0o644 },
  );
  const link = join(units, 'multi-user.target.wants', KEYGEN_UNIT);
  await rm(link, { force: true });
  await symlink(`/etc/systemd/system/${KEYGEN_UNIT}`, link);
}
