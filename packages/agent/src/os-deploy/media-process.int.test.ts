/**
 * The boot-environment steps from the real `steward-agent` process (ADR 0077):
 * `task-sequence run --media <dir> --target <dir>` partitions a loop device, applies the
 * media's OS image, names the machine, installs the agent for its first boot and captures the
 * result into the media's captures folder, as standalone media or a boot image would.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunnableSequence, type Step, sequenceItems } from '@steward/protocol';
import { STEWARD_AGENT as AGENT, exec } from '../../../../test-support/site.js';
import { canUseLoopDevices, makeTestOsImage } from '../../test/os-deploy-fixture.js';
import { readLocalImage } from './media-host.js';

const base = { enabled: true, continueOnError: false };
function step(id: string, kind: Step['kind'], settings: object): Step {
  return { type: 'step', kind, id, name: id, ...base, settings } as Step;
}

describe.skipIf(!canUseLoopDevices())('boot-environment steps from the agent process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'os-media-'));
  let loop = '';
  const target = join(dir, 'target');
  afterAll(() => {
    execFileSync('umount', ['-R', target], { stdio: 'ignore' });
    if (loop) execFileSync('losetup', ['-d', loop]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds a system on a disk from a media folder and captures it there', async () => {
    const media = join(dir, 'media');
    await makeTestOsImage(join(dir, 'reference'), join(media, 'os-images/debian-12'));
    mkdirSync(join(media, 'agent'));
    writeFileSync(join(media, 'agent/install-agent.sh'), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(join(media, 'enrol-token'), 'stw1.media-token\n');
    execFileSync('truncate', ['-s', '320M', join(dir, 'disk.img')]);
    loop = execFileSync('losetup', ['-f', '--show', '-P', join(dir, 'disk.img')], {
      encoding: 'utf8',
    }).trim();
    const seq: RunnableSequence = {
      sequenceId: 'media',
      name: 'Media build',
      version: 1,
      variables: {},
      steps: sequenceItems([
        step('part', 'partition-disk', { disk: loop, layout: 'bios' }),
        step('apply', 'apply-os-image', { imageId: 'debian-12' }),
        step('net', 'apply-network-settings', { hostname: 'media-pc' }),
        step('agent', 'install-agent', {}),
        step('capture', 'capture-os-image', { imageName: 'From media' }),
      ]),
    };
    writeFileSync(join(dir, 'seq.json'), JSON.stringify(seq));
    const run = await exec(AGENT, [
      'task-sequence',
      'run',
      '--sequence',
      join(dir, 'seq.json'),
      '--state-dir',
      join(dir, 'state'),
      '--media',
      media,
      '--target',
      target,
    ]);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('"Media build"');
    const [captured, ...more] = readdirSync(join(media, 'captures'));
    expect(more).toEqual([]);
    const image = await readLocalImage(join(media, 'captures', captured ?? ''));
    expect(image.manifest).toMatchObject({ name: 'From media', source: 'capture' });
    execFileSync('mount', [`${loop}p2`, target]);
    expect(readFileSync(join(target, 'etc/hostname'), 'utf8')).toBe('media-pc\n');
    expect(readFileSync(join(target, 'var/lib/steward-first-boot/token'), 'utf8')).toBe(
      'stw1.media-token\n',
    );
    expect(existsSync(join(target, 'usr/lib/steward-agent/node'))).toBe(true);
  });
});
