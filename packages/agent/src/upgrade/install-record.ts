import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileIfExists } from '../state/atomic-file.js';

/**
 * `<lib-dir>/install.conf`, written by install-agent.sh: how this agent was installed, so the
 * next version is installed the same way (same prefix, state directory, service manager and
 * runtime). Absent for the .deb, whose upgrades are the package manager's.
 */
export interface InstallRecord {
  prefix: string;
  stateDir: string;
  service: 'systemd' | 'none';
  runtime: 'node' | 'sea';
}

export async function readInstallRecord(libDir: string): Promise<InstallRecord | undefined> {
  const text = await readFileIfExists(join(libDir, 'install.conf'));
  if (text === undefined) return undefined;
  const helper = await access(join(libDir, 'upgrade-agent.sh')).then(
    () => true,
    () => false,
  );
  if (!helper) return undefined;
  const f = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0 && !line.startsWith('#')) f.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const service = f.get('service');
  const runtime = f.get('runtime');
  const prefix = f.get('prefix');
  const stateDir = f.get('state_dir');
  if (prefix === undefined || stateDir === undefined) return undefined;
  if (service !== 'systemd' && service !== 'none') return undefined;
  if (runtime !== 'node' && runtime !== 'sea') return undefined;
  return { prefix, stateDir, service, runtime };
}
