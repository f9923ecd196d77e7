import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TARGET, RESTARTING_EXIT_CODE } from '../commands/task-sequence-command.js';

/** The boot image's /init (a shell script on the site) and the agent agree on the restart. */
const INIT = join(import.meta.dirname, '../../../server/assets/boot-image/boot-env-init.sh');

describe('the boot image /init', () => {
  const script = readFileSync(INIT, 'utf8');

  it('reboots on the exit code of a restarting sequence, after unmounting the new system', () => {
    expect(script).toContain(`restarting=${String(RESTARTING_EXIT_CODE)}\n`);
    expect(script).toContain(`umount -R ${DEFAULT_TARGET} `);
    // The restart step itself only ends the boot environment: /init reboots after it exited.
    expect(script).toMatch(/steward-agent boot-env .*--reboot-command true/);
  });
});
