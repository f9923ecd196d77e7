import { chmod, copyFile, mkdir, symlink, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { failed, type StepContext, type StepResult, SUCCEEDED } from '../task-sequence/executor.js';
import type { BootEnvHost } from './host.js';
import { mountTarget, must, stepOf } from './target.js';

export const FIRST_BOOT_DIR = '/var/lib/steward-first-boot';
export const FIRST_BOOT_UNIT = 'steward-first-boot.service';
/** Where the boot image's Node.js goes when the applied OS has none of its own. */
export const TARGET_NODE = '/usr/lib/steward-agent/node';

const UNIT = `# Written by Steward (install the agent): installs and enrols the agent on the first boot,
# then removes itself. The machine enrols from its own OS, so the record the site makes carries
# its real SMBIOS UUID and MACs (inventory), not the boot environment's.
[Unit]
Description=Steward: install and enrol the agent (first boot)
Wants=network-online.target
After=network-online.target
ConditionPathExists=${FIRST_BOOT_DIR}/first-boot.sh

[Service]
Type=oneshot
ExecStart=/bin/sh ${FIRST_BOOT_DIR}/first-boot.sh
RemainAfterExit=yes
# A site not reachable yet (a slow DHCP lease, a link still coming up) is tried again.
Restart=on-failure
RestartSec=20
StandardOutput=journal+console

[Install]
WantedBy=multi-user.target
`;

export function firstBootScript(withNode: boolean): string {
  const node = withNode ? ` --node ${TARGET_NODE}` : '';
  return `#!/bin/sh
# Steward first boot: install-agent.sh enrols with the token the site issued for this machine.
set -e
dir=${FIRST_BOOT_DIR}
sh "$dir/agent/install-agent.sh" --token "$(cat "$dir/token")" --service systemd${node}
systemctl disable ${FIRST_BOOT_UNIT} || true
rm -rf "$dir"
`;
}

/**
 * Install the agent: puts the agent installer and a single-use enrolment token into the applied
 * system with a first-boot unit that runs install-agent.sh (the one installer, ADR 0021) and
 * enables the agent's service. The token never leaves the new machine's disk and is removed
 * after use.
 */
export function installAgent(ctx: StepContext, host: BootEnvHost): Promise<StepResult> {
  return stepOf(async () => {
    const kitOf = host.agentInstallKit;
    if (!kitOf) return failed('this environment has no agent installer');
    await mountTarget(host.targetDir, ctx);
    const kit = await kitOf(ctx.signal);
    const t = host.targetDir;
    const dir = join(t, FIRST_BOOT_DIR);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await must(
      'copy the agent installer',
      'cp',
      ['-a', `${kit.installerDir}/.`, join(dir, 'agent')],
      ctx,
    );
    await writeFile(join(dir, 'token'), `${kit.token}\n`, { mode: 0o600 });
    await writeFile(join(dir, 'first-boot.sh'), firstBootScript(kit.nodeBinary !== undefined), {
      mode: 0o755,
    });
    if (kit.nodeBinary !== undefined) {
      await mkdir(join(t, '/usr/lib/steward-agent'), { recursive: true });
      await copyFile(kit.nodeBinary, join(t, TARGET_NODE));
      await chmod(join(t, TARGET_NODE), 0o755);
    }
    const units = join(t, 'etc/systemd/system');
    await mkdir(join(units, 'multi-user.target.wants'), { recursive: true });
    await writeFile(join(units, FIRST_BOOT_UNIT), UNIT, { mode: 0o644 });
    const wants = join(units, 'multi-user.target.wants', FIRST_BOOT_UNIT);
    await rm(wants, { force: true });
    await symlink(`/etc/systemd/system/${FIRST_BOOT_UNIT}`, wants);
    return { ...SUCCEEDED, outputTail: `agent installer and first-boot unit in ${FIRST_BOOT_DIR}` };
  });
}
