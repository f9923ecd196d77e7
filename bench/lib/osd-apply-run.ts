/**
 * The body of `bench/osd-apply.mjs` (bundled by esbuild there): the apply-image step's
 * throughput against a plain `tar --zstd -x` of the same archive to the same kind of target
 * (issue 11: at least 90 %). The image is a real tree of this machine (default /usr/include:
 * many small files, as a root file system has) archived as a capture archives it. Each run gets
 * a freshly made ext4 on a loop device, mounted before the clock starts; runs alternate (plain, step, plain, step...) so load
 * on the machine weighs on both alike; both include `sync` of the target file system. The step
 * is the agent's own `applyOsImage` (mount, room check, the archive streamed through SHA-256 and
 * size verification into tar, /etc/fstab), over a local source (the media path): the DP's HTTP
 * or multicast transfer in front of it is measured by the multicast part.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OS_IMAGE_FORMAT, type OsImageManifest } from '@steward/protocol';
import { applyOsImage, TAR_KEEP } from '../../packages/agent/src/os-deploy/apply-image-step.js';
import { localImageSources } from '../../packages/agent/src/os-deploy/image-stream.js';

const sh = (file: string, args: string[]) => execFileSync(file, args, { encoding: 'utf8' });

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

export async function runOsdApplyBench(o: { source: string; runs: number }) {
  const dir = mkdtempSync(join(tmpdir(), 'steward-osd-apply-'));
  let loop = '';
  const mnt = join(dir, 'target');
  mkdirSync(mnt);
  try {
    const imageDir = join(dir, 'image');
    mkdirSync(imageDir);
    const archive = join(imageDir, 'root.tar.zst');
    sh('tar', ['--zstd', '-cpf', archive, '-C', o.source, '--one-file-system', ...TAR_KEEP, '.']);
    const unpacked = Number(sh('du', ['-sb', o.source]).split('\t')[0]);
    const archiveBytes = statSync(archive).size;
    const manifest: OsImageManifest = {
      format: OS_IMAGE_FORMAT,
      name: 'bench',
      source: 'capture',
      os: { id: 'debian', versionId: '12', prettyName: 'bench', arch: 'amd64' },
      fileSystems: [
        {
          mountpoint: '/',
          type: 'ext4',
          usedBytes: unpacked,
          archive: 'root.tar.zst',
          archiveBytes,
          sha256: await sha256Of(archive),
        },
      ],
      createdAt: new Date().toISOString(),
    };
    const disk = join(dir, 'disk.img');
    sh('truncate', ['-s', `${String(Math.ceil((unpacked * 2) / 2 ** 20) + 256)}M`, disk]);
    loop = sh('losetup', ['-f', '--show', disk]).trim();
    const fresh = () => sh('mkfs.ext4', ['-q', '-F', '-E', 'lazy_itable_init=0', loop]);
    const plain = async () => {
      fresh();
      sh('mount', [loop, mnt]);
      const t = performance.now();
      sh('tar', ['--zstd', '-xpf', archive, '-C', mnt, ...TAR_KEEP]);
      sh('sync', ['-f', mnt]);
      const s = (performance.now() - t) / 1000;
      sh('umount', [mnt]);
      return s;
    };
    const step = async () => {
      fresh();
      // Mounted as for the plain run: the step finds it mounted and extracts into it.
      sh('mount', [loop, mnt]);
      const vars: Record<string, string> = { OSDRootPartition: loop };
      const t = performance.now();
      const r = await applyOsImage(
        {
          type: 'step',
          kind: 'apply-os-image',
          id: 'apply',
          name: 'apply',
          enabled: true,
          continueOnError: false,
          settings: { imageId: 'bench' },
        },
        {
          variables: vars,
          setVariable: (n, v) => void (vars[n] = v),
          signal: new AbortController().signal,
        },
        {
          targetDir: mnt,
          firmware: 'bios',
          modaliases: [],
          workDir: dir,
          openOsImage: () => Promise.resolve(localImageSources({ manifest, dir: imageDir })),
        },
      );
      sh('sync', ['-f', mnt]);
      const s = (performance.now() - t) / 1000;
      sh('umount', [mnt]);
      if (!r.ok) throw new Error(`the apply step failed: ${r.reason ?? ''}`);
      return s;
    };
    const plainSeconds: number[] = [];
    const stepSeconds: number[] = [];
    for (let i = 0; i < o.runs; i++) {
      plainSeconds.push(await plain());
      stepSeconds.push(await step());
    }
    const mbps = (s: number) => Math.round((unpacked / 1e6 / s) * 10) / 10;
    const plainMedian = median(plainSeconds);
    const stepMedian = median(stepSeconds);
    return {
      source: o.source,
      target: 'ext4 on a loop device, made fresh for each run',
      unpackedBytes: unpacked,
      archiveBytes,
      runs: o.runs,
      plain: {
        what: 'tar --zstd -xpf (GNU tar, same flags) then sync',
        seconds: plainSeconds.map((s) => Math.round(s * 100) / 100),
        medianSeconds: Math.round(plainMedian * 100) / 100,
        medianMBps: mbps(plainMedian),
      },
      applyStep: {
        what: 'applyOsImage: archive streamed through SHA-256/size check into tar, fstab, then sync',
        seconds: stepSeconds.map((s) => Math.round(s * 100) / 100),
        medianSeconds: Math.round(stepMedian * 100) / 100,
        medianMBps: mbps(stepMedian),
      },
      ratio: Math.round((plainMedian / stepMedian) * 1000) / 1000,
    };
  } finally {
    spawnSync('umount', [mnt], { stdio: 'ignore' });
    if (loop) execFileSync('losetup', ['-d', loop]);
    rmSync(dir, { recursive: true, force: true });
  }
}
