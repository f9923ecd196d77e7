// Serves this machine's own apt lists (/var/lib/apt/lists) of one suite over HTTP on 127.0.0.1,
// at the paths a sync asks a mirror for: `dists/<suite>/InRelease` (the real, signed file apt
// downloaded), each Packages index the Release lists (uncompressed, whatever form apt stored it
// in) and its `by-hash/SHA256/<sum>` path. Nothing is fetched from anywhere: the benchmark's
// traffic stays on this machine. The mirror's host name is read from the apt sources at run time
// and never written anywhere.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const LISTS = '/var/lib/apt/lists';

/** One-line `deb [opts] uri suite comp...` entries of sources.list files. */
function oneLineSources(text) {
  const out = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const m = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const opts = Object.fromEntries(
      (m[1] ?? '')
        .split(/\s+/)
        .filter(Boolean)
        .map((o) => o.split('=')),
    );
    out.push({
      uri: m[2],
      suite: m[3],
      components: m[4].split(/\s+/).filter(Boolean),
      signedBy: opts['signed-by'],
    });
  }
  return out;
}

/** deb822 `.sources` paragraphs (Types, URIs, Suites, Components, Signed-By). */
function deb822Sources(text) {
  const out = [];
  for (const para of text.split(/\n\s*\n/)) {
    const fields = {};
    let last;
    for (const line of para.split('\n')) {
      if (line.startsWith('#')) continue;
      if (/^\s/.test(line) && last) fields[last] += '\n' + line.trim();
      else {
        const i = line.indexOf(':');
        if (i < 0) continue;
        last = line.slice(0, i).trim().toLowerCase();
        fields[last] = line.slice(i + 1).trim();
      }
    }
    if (!(fields.types ?? '').split(/\s+/).includes('deb')) continue;
    if ((fields.enabled ?? 'yes') === 'no') continue;
    for (const uri of (fields.uris ?? '').split(/\s+/).filter(Boolean))
      for (const suite of (fields.suites ?? '').split(/\s+/).filter(Boolean))
        out.push({
          uri,
          suite,
          components: (fields.components ?? '').split(/\s+/).filter(Boolean),
          signedBy: fields['signed-by'],
        });
  }
  return out;
}

/** Every `deb` source of this machine's apt configuration. */
export function aptSources() {
  const out = [];
  if (existsSync('/etc/apt/sources.list'))
    out.push(...oneLineSources(readFileSync('/etc/apt/sources.list', 'utf8')));
  const dir = '/etc/apt/sources.list.d';
  if (existsSync(dir))
    for (const f of readdirSync(dir).sort()) {
      const text = readFileSync(join(dir, f), 'utf8');
      if (f.endsWith('.sources')) out.push(...deb822Sources(text));
      else if (f.endsWith('.list')) out.push(...oneLineSources(text));
    }
  return out;
}

/** apt's lists file prefix of a URI (apt's URItoFileName: no scheme, `/` becomes `_`). */
function listsPrefix(uri) {
  return uri
    .replace(/^[a-z+]+:\/\//, '')
    .replace(/\/+$/, '')
    .replace(/_/g, '%5f')
    .replace(/\//g, '_');
}

/** The security suite (the first source whose suite ends in -security or /updates). */
export function findSecuritySource() {
  const sources = aptSources();
  const s = sources.find((x) => /-security$|\/updates$/.test(x.suite));
  if (!s)
    throw new Error(
      `no security suite among this machine's apt sources (${sources.map((x) => x.suite).join(', ') || 'none'})`,
    );
  return s;
}

function decompress(file) {
  const bytes = readFileSync(file);
  if (file.endsWith('.lz4')) return execFileSync('lz4', ['-dc', file], { maxBuffer: 1 << 30 });
  if (file.endsWith('.gz')) return gunzipSync(bytes);
  if (file.endsWith('.xz')) return execFileSync('xz', ['-dc', file], { maxBuffer: 1 << 30 });
  return bytes;
}

/** The keyring of a source as armoured text: Signed-By's file, or the key block given inline. */
export function keyringOf(source, armorKeyring) {
  const signedBy = source.signedBy ?? '';
  if (signedBy.includes('BEGIN PGP PUBLIC KEY BLOCK'))
    return signedBy.replace(/^\s*\.\s*$/gm, '').trim() + '\n';
  const file =
    signedBy !== '' ? signedBy.split(',')[0] : '/usr/share/keyrings/debian-archive-keyring.gpg';
  const bytes = readFileSync(file);
  return bytes.subarray(0, 5).toString() === '-----' ? bytes.toString() : armorKeyring(bytes);
}

/**
 * Starts the loopback mirror of `source`'s suite for the given architectures. Resolves to
 * `{ url, suite, components, architectures, files, requests, close }`; `requests` counts every
 * request (the figure an unchanged re-sync is judged by).
 */
export async function serveAptLists(source, architectures) {
  const prefix = `${LISTS}/${listsPrefix(source.uri)}_dists_${source.suite.replace(/\//g, '_')}`;
  const inRelease = `${prefix}_InRelease`;
  if (!existsSync(inRelease))
    throw new Error(
      `${inRelease} is missing: run \`apt-get update\` first (apt's own traffic), then the benchmark`,
    );
  const releaseText = readFileSync(inRelease, 'utf8');
  const routes = new Map([[`/dists/${source.suite}/InRelease`, readFileSync(inRelease)]]);
  const files = [];
  for (const component of source.components)
    for (const arch of architectures) {
      const base = `${prefix}_${component.replace(/\//g, '_')}_binary-${arch}_Packages`;
      const found = ['', '.lz4', '.gz', '.xz'].map((e) => base + e).find((f) => existsSync(f));
      if (!found) continue;
      const body = decompress(found);
      const sum = createHash('sha256').update(body).digest('hex');
      const path = `${component}/binary-${arch}/Packages`;
      if (!releaseText.includes(sum))
        throw new Error(
          `${found} does not match the InRelease beside it (apt lists out of date?): run \`apt-get update\``,
        );
      routes.set(`/dists/${source.suite}/${path}`, body);
      routes.set(`/dists/${source.suite}/${component}/binary-${arch}/by-hash/SHA256/${sum}`, body);
      files.push({ path, bytes: body.length, storedAs: found.replace(/^.*_Packages/, 'Packages') });
    }
  if (files.length === 0) throw new Error(`no Packages index of ${source.suite} in ${LISTS}`);
  const counter = { requests: 0, served: 0 };
  const server = createServer((req, res) => {
    counter.requests++;
    const body = routes.get(new URL(req.url ?? '/', 'http://x').pathname);
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    counter.served++;
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    suite: source.suite,
    components: source.components,
    architectures,
    files,
    counter,
    close: () => new Promise((r) => server.close(r)),
  };
}
