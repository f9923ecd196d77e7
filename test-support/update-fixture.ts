/**
 * What the update tests set up around a site: a local signed apt suite served on loopback (an
 * upstream the site syncs), a source over it, and a collection of given devices. Real parts only:
 * dpkg-deb, apt-ftparchive and gpg build the suite (apt-repo.ts), the site syncs it over HTTP.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { armorKeyring, ops, type ApiClient, type UpdateSource } from '@steward/protocol';
import {
  createSigningKey,
  disposeSigningKey,
  serveDirectory,
  writeSuite,
  type SigningKey,
  type TestPackage,
} from './apt-repo.js';
import { waitFor } from './site.js';

export interface LocalUpstream {
  /** A temporary directory for the test (the suite lives in `<dir>/upstream`). */
  dir: string;
  upstream: string;
  suite: string;
  key: SigningKey;
  http: { url: string; server: Server; requests: string[] };
}

/** A signed suite of these packages in a new temporary directory, served on 127.0.0.1. */
export async function localUpstream(
  prefix: string,
  suite: string,
  packages: TestPackage[],
): Promise<LocalUpstream> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const upstream = join(dir, 'upstream');
  const key = createSigningKey(dir);
  writeSuite(upstream, { suite, key, packages });
  const http = await serveDirectory(upstream);
  return { dir, upstream, suite, key, http };
}

export async function disposeUpstream(u: LocalUpstream | undefined): Promise<void> {
  if (!u) return;
  await new Promise((r) => u.http.server.close(r));
  disposeSigningKey(u.key);
  rmSync(u.dir, { recursive: true, force: true });
}

/** A source over the upstream, synced until the catalog holds `updates` current updates. */
export async function syncedSource(
  api: ApiClient,
  u: LocalUpstream,
  name: string,
  updates: number,
): Promise<UpdateSource> {
  const source = await api.call(ops.updateCatalog.createSource, {
    body: {
      name,
      url: u.http.url,
      suite: u.suite,
      components: ['main'],
      architectures: ['amd64'],
      keyring: armorKeyring(readFileSync(u.key.keyringFile)),
    },
  });
  await api.call(ops.updateCatalog.syncSource, { params: { id: source.id } });
  await waitFor('the catalog', async () => {
    const p = await api.call(ops.updateCatalog.listUpdates, { query: { state: 'current' } });
    return p.total === updates ? p : undefined;
  });
  return source;
}

/** A collection of exactly these devices (direct rules), once its membership is evaluated. */
export async function deviceCollection(
  api: ApiClient,
  name: string,
  deviceIds: string[],
): Promise<string> {
  const c = await api.createCollection({
    name,
    rules: deviceIds.map((deviceId) => ({ kind: 'direct' as const, deviceId })),
  });
  await waitFor(
    `the collection ${name}`,
    async () => (await api.getCollection(c.id)).memberCount === deviceIds.length,
  );
  return c.id;
}
