/**
 * Local signed apt repositories for tests (issue 10): real .deb files built with dpkg-deb, indexes
 * and Release written by apt-ftparchive, signed by a throwaway gpg key, and served over HTTP on
 * 127.0.0.1. Nothing here reaches beyond this machine.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';

export interface TestPackage {
  name: string;
  version: string;
  /** The source package, when it differs from the name. */
  source?: string;
  sourceVersion?: string;
  architecture?: string;
  /** A postinst script body (`#!/bin/sh` is added); runs with DPKG_ROOT in dpkg sandboxes. */
  postinst?: string;
  /** Relationship fields as a control file writes them (`libfoo (>= 2)`, `old-tool`). */
  depends?: string;
  conflicts?: string;
  /** Executables the package ships: path inside the package => the file copied there. */
  files?: Record<string, string>;
}

export interface SigningKey {
  home: string;
  /** A binary keyring holding the public key, as apt's Signed-By takes it. */
  keyringFile: string;
  fingerprint: string;
}

const run = (
  cmd: string,
  args: string[],
  opts: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {},
) =>
  execFileSync(cmd, args, {
    cwd: opts.cwd,
    input: opts.input,
    env: opts.env,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });

/** A new ed25519 signing key in its own GNUPGHOME, and its public keyring file. */
export function createSigningKey(dir: string, name = 'Steward Test Archive'): SigningKey {
  const home = mkdtempSync(join(tmpdir(), 'steward-gpg-'));
  run('gpg', [
    '--batch',
    '--homedir',
    home,
    '--passphrase',
    '',
    '--quick-gen-key',
    `${name} <archive@steward.invalid>`,
    'ed25519',
    'sign',
    '1y',
  ]);
  const colons = run('gpg', ['--batch', '--homedir', home, '--with-colons', '--list-keys']);
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(colons)?.[1] ?? '';
  const keyringFile = join(dir, `${name.replace(/\W+/g, '-').toLowerCase()}.gpg`);
  execFileSync('gpg', ['--batch', '--homedir', home, '--export', '--output', keyringFile]);
  return { home, keyringFile, fingerprint };
}

export function disposeSigningKey(key: SigningKey): void {
  try {
    run('gpgconf', ['--homedir', key.home, '--kill', 'gpg-agent']);
  } catch {
    // no agent was started
  }
  rmSync(key.home, { recursive: true, force: true });
}

export function buildDeb(pool: string, p: TestPackage): void {
  const arch = p.architecture ?? 'amd64';
  const root = mkdtempSync(join(tmpdir(), 'steward-deb-'));
  mkdirSync(join(root, 'DEBIAN'));
  mkdirSync(join(root, 'usr/share/doc', p.name), { recursive: true });
  writeFileSync(join(root, 'usr/share/doc', p.name, 'VERSION'), `${p.version}\n`);
  for (const [path, from] of Object.entries(p.files ?? {})) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    copyFileSync(from, join(root, path));
    chmodSync(join(root, path), 0o755);
  }
  const source =
    p.source === undefined
      ? ''
      : `Source: ${p.source}${p.sourceVersion && p.sourceVersion !== p.version ? ` (${p.sourceVersion})` : ''}\n`;
  writeFileSync(
    join(root, 'DEBIAN/control'),
    `Package: ${p.name}\n${source}Version: ${p.version}\nArchitecture: ${arch}\n${p.depends ? `Depends: ${p.depends}\n` : ''}${p.conflicts ? `Conflicts: ${p.conflicts}\n` : ''}Maintainer: Steward Tests <tests@steward.invalid>\nSection: misc\nPriority: optional\nDescription: test package ${p.name}\n`,
  );
  if (p.postinst !== undefined)
    writeFileSync(join(root, 'DEBIAN/postinst'), `#!/bin/sh\nset -e\n${p.postinst}\n`, {
      mode: 0o755,
    });
  // A fixed timestamp: the same package builds the same bytes, so a suite re-published with
  // it unchanged keeps that index's hash (what a real archive does for what it did not rebuild).
  run(
    'dpkg-deb',
    [
      '--root-owner-group',
      '-Zgzip',
      '--build',
      root,
      join(pool, `${p.name}_${p.version.replace(/^\d+:/, '')}_${arch}.deb`),
    ],
    { env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } },
  );
  rmSync(root, { recursive: true, force: true });
}

export interface RepoOptions {
  suite: string;
  component?: string;
  packages: TestPackage[];
  /** Further components of the suite, each with its own pool and index. */
  more?: { component: string; packages: TestPackage[] }[];
  key: SigningKey;
  /** Valid-Until (a past one makes the Release stale); Date is then an hour before it. */
  validUntil?: Date;
  /** Publish by-hash copies and say Acquire-By-Hash: yes (as Debian's archives do). */
  byHash?: boolean;
  /** Sign as InRelease (default) or only as Release + Release.gpg. */
  signing?: 'inrelease' | 'detached' | 'unsigned';
}

/** Writes (or rewrites) a suite into `root`, as an archive's `dists/` and `pool/`. */
export function writeSuite(root: string, o: RepoOptions): void {
  const parts = [{ component: o.component ?? 'main', packages: o.packages }, ...(o.more ?? [])];
  const dist = join(root, 'dists', o.suite);
  rmSync(dist, { recursive: true, force: true });
  const binDirs = parts.map(({ component, packages }) => {
    const pool = join(root, 'pool', component, o.suite);
    mkdirSync(pool, { recursive: true });
    for (const p of packages) buildDeb(pool, p);
    const binDir = join(dist, component, 'binary-amd64');
    mkdirSync(binDir, { recursive: true });
    const index = run('apt-ftparchive', ['packages', `pool/${component}/${o.suite}`], {
      cwd: root,
    });
    writeFileSync(join(binDir, 'Packages'), index);
    run('gzip', ['-9', '-k', '-n', join(binDir, 'Packages')]);
    run('xz', ['-k', join(binDir, 'Packages')]);
    return binDir;
  });
  const fields = [
    ['Origin', 'Steward Tests'],
    ['Suite', o.suite],
    ['Codename', o.suite],
    ['Architectures', 'amd64'],
    ['Components', parts.map((p) => p.component).join(' ')],
    ...(o.byHash ? [['Acquire-By-Hash', 'yes']] : []),
  ];
  const release = run(
    'apt-ftparchive',
    [...fields.flatMap(([k, v]) => ['-o', `APT::FTPArchive::Release::${k}=${v}`]), 'release', '.'],
    { cwd: dist },
  );
  // apt-ftparchive only computes Valid-Until from now (ValidTime): a stale one is written here.
  const validUntil = o.validUntil ? `Valid-Until: ${o.validUntil.toUTCString()}\n` : '';
  writeFileSync(join(dist, 'Release'), release.replace(/^(Date: .*\n)/m, `$1${validUntil}`));
  if (o.byHash) {
    for (const [binDir, name] of binDirs.flatMap((d) =>
      ['Packages', 'Packages.gz', 'Packages.xz'].map((n) => [d, n] as const),
    )) {
      const sum = createHash('sha256')
        .update(readFileSync(join(binDir, name)))
        .digest('hex');
      mkdirSync(join(binDir, 'by-hash/SHA256'), { recursive: true });
      copyFileSync(join(binDir, name), join(binDir, 'by-hash/SHA256', sum));
    }
  }
  const gpg = ['--batch', '--yes', '--homedir', o.key.home, '--digest-algo', 'SHA256'];
  switch (o.signing ?? 'inrelease') {
    case 'inrelease':
      run('gpg', [
        ...gpg,
        '--clearsign',
        '--output',
        join(dist, 'InRelease'),
        join(dist, 'Release'),
      ]);
      break;
    case 'detached':
      run('gpg', [
        ...gpg,
        '--armor',
        '--detach-sign',
        '--output',
        join(dist, 'Release.gpg'),
        join(dist, 'Release'),
      ]);
      break;
    case 'unsigned':
      break;
  }
}

/** A static HTTP server for `root` on 127.0.0.1 (GET only, no directory listings). */
export async function serveDirectory(
  root: string,
): Promise<{ url: string; server: Server; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    requests.push(path);
    if (req.method !== 'GET' || path.includes('..')) {
      res.writeHead(400).end();
      return;
    }
    try {
      const body = readFileSync(join(root, path));
      res.writeHead(200, { 'content-length': String(body.length) }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, server, requests };
}
