import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { grubEntry, newcArchive, withEntry } from './boot-image-restart.js';

const image = {
  id: 'b1',
  name: 'default-amd64',
  version: 3,
  packageVersionId: 'pv1',
  files: [],
  kernelArgs: 'console=ttyS0 quiet',
  resumeToken: 't',
};

describe('restart into the boot image', () => {
  it('writes a newc archive the real cpio unpacks, odd sizes padded', () => {
    const dir = mkdtempSync(join(tmpdir(), 'newc-'));
    try {
      const archive = newcArchive([
        { name: 'steward-resume', mode: 0o040700, data: Buffer.alloc(0) },
        { name: 'steward-resume/a.json', mode: 0o100600, data: Buffer.from('{"a":1}') },
        { name: 'steward-resume/b', mode: 0o100644, data: Buffer.from('xy') },
      ]);
      expect(archive.length % 4).toBe(0);
      execFileSync('cpio', ['-idm', '--quiet'], { cwd: dir, input: archive });
      expect(readFileSync(join(dir, 'steward-resume/a.json'), 'utf8')).toBe('{"a":1}');
      expect(readFileSync(join(dir, 'steward-resume/b'), 'utf8')).toBe('xy');
      expect(statSync(join(dir, 'steward-resume/a.json')).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("replaces only its own block of custom.cfg and removes it, keeping the administrator's lines", () => {
    const entry = grubEntry(image, 'https://site:8443', 'dep-1');
    expect(entry).toContain('--id steward-boot-image');
    expect(entry).toContain(
      'linux $stw/vmlinuz console=ttyS0 quiet steward.site=https://site:8443 steward.resume=dep-1',
    );
    const mine = "menuentry 'Memtest' {\n}\n";
    const armed = withEntry(mine, entry);
    expect(armed.startsWith(mine)).toBe(true);
    const again = withEntry(armed, entry.replace('dep-1', 'dep-2'));
    expect(again.match(/--id steward-boot-image/g)).toHaveLength(1);
    expect(again).toContain('steward.resume=dep-2');
    expect(withEntry(again, undefined)).toBe(mine);
    expect(withEntry('', undefined)).toBe('');
  });
});
