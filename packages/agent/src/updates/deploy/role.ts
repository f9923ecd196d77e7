import { access, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ClientSettingsOptions, type ClientSettings } from '@steward/protocol';
import { roleFromSystem, type DeviceRole } from './policy.js';

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/**
 * The device role for update restarts: the client setting, or when it says `auto` what the
 * system shows: a display manager unit enabled, or the graphical target as systemd's default.
 */
export async function deviceRole(settings: ClientSettings, root = '/'): Promise<DeviceRole> {
  const chosen = settings.deviceRole ?? 'auto';
  if (chosen !== 'auto') return chosen;
  const target = await readlink(join(root, 'etc/systemd/system/default.target')).catch(() => '');
  return roleFromSystem({
    displayManager: await exists(join(root, 'etc/systemd/system/display-manager.service')),
    graphicalTarget: target.endsWith('graphical.target'),
  });
}

/**
 * The restart command's argv from the client setting (ADR 0071): an absolute path and arguments
 * separated by single spaces (the declaration's pattern); the declared default where a policy
 * signed before the setting existed carries none.
 */
export function rebootArgv(setting: string | undefined): string[] {
  return (setting ?? ClientSettingsOptions.rebootCommand.default).split(' ');
}
