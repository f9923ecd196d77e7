import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agentInstallerDir } from './media-host.js';

describe('the agent installer of media (ADR 0097)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'media-agent-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is agent/ when unpacked there', async () => {
    const media = join(dir, 'unpacked');
    mkdirSync(join(media, 'agent'), { recursive: true });
    writeFileSync(join(media, 'agent/install-agent.sh'), '#!/bin/sh\n');
    expect(await agentInstallerDir(media)).toBe(join(media, 'agent'));
  });

  it('unpacks the tarball standalone media carry, finding install-agent.sh one folder down', async () => {
    const src = join(dir, 'src/steward-agent-1.2.3');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'install-agent.sh'), '#!/bin/sh\necho kit\n');
    const media = join(dir, 'packed');
    mkdirSync(join(media, 'agent'), { recursive: true });
    execFileSync('tar', [
      '-czf',
      join(media, 'agent/steward-agent-1.2.3-linux.tar.gz'),
      '-C',
      join(dir, 'src'),
      '.',
    ]);
    const kit = await agentInstallerDir(media);
    expect(kit.startsWith(media)).toBe(false);
    expect(existsSync(join(kit, 'install-agent.sh'))).toBe(true);
  });

  it('says what is wrong when there is no installer', async () => {
    const media = join(dir, 'empty');
    mkdirSync(join(media, 'agent'), { recursive: true });
    await expect(agentInstallerDir(media)).rejects.toThrow(
      /neither install-agent.sh nor a tarball/,
    );
  });
});
