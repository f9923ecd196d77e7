// A small signed apt suite on 127.0.0.1 that publishes new versions of packages installed here:
// the "sync that adds one update" of the updates benchmark. The Packages index and the Release
// are written here (the catalog reads only their fields; no .deb is needed), the Release is
// clear-signed with a throwaway gpg key as InRelease, and the key's armoured keyring is what the
// update source checks it with.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const gpg = (home, args, input) =>
  execFileSync('gpg', ['--batch', '--homedir', home, ...args], {
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
  });

/** Starts the suite (empty until `publish`); `publish(packages)` replaces what it serves. */
export async function startOneUpdateSuite(suite = 'bench-updates') {
  const home = mkdtempSync(join(tmpdir(), 'steward-bench-gpg-'));
  gpg(home, [
    '--passphrase',
    '',
    '--quick-gen-key',
    'Steward Bench Archive <archive@steward.invalid>',
    'ed25519',
    'sign',
    '1y',
  ]);
  const keyring = gpg(home, ['--armor', '--export']).toString();
  let routes = new Map();
  const server = createServer((req, res) => {
    const body = routes.get(new URL(req.url ?? '/', 'http://x').pathname);
    if (!body) res.writeHead(404).end();
    else res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/`;

  /** @param {{ name: string, version: string, arch: string, source?: string }[]} packages */
  function publish(packages) {
    const index = Buffer.from(
      packages
        .map(
          (p) =>
            `Package: ${p.name}\n${p.source ? `Source: ${p.source}\n` : ''}Version: ${p.version}\n` +
            `Architecture: ${p.arch}\nFilename: pool/main/${p.name}_${p.version}_${p.arch}.deb\n` +
            `Size: 1\nSHA256: ${'0'.repeat(64)}\n`,
        )
        .join('\n'),
    );
    const sum = createHash('sha256').update(index).digest('hex');
    const release =
      `Origin: Steward Bench\nSuite: ${suite}\nCodename: ${suite}\n` +
      `Date: ${new Date().toUTCString()}\nAcquire-By-Hash: yes\nArchitectures: amd64 arm64 all\n` +
      `Components: main\nSHA256:\n ${sum} ${index.length} main/binary-amd64/Packages\n`;
    const inRelease = gpg(home, ['--clearsign', '--digest-algo', 'SHA512'], release);
    routes = new Map([
      [`/dists/${suite}/InRelease`, inRelease],
      [`/dists/${suite}/main/binary-amd64/Packages`, index],
      [`/dists/${suite}/main/binary-amd64/by-hash/SHA256/${sum}`, index],
    ]);
  }

  return {
    url,
    suite,
    keyring,
    publish,
    close: async () => {
      await new Promise((r) => server.close(r));
      try {
        execFileSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent'], { stdio: 'ignore' });
      } catch {
        // no agent was started
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
