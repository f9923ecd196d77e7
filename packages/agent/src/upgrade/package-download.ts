import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { Agent, request } from 'node:https';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { ClientVersionPackage } from '@steward/protocol';
import { pinnedTlsOptions } from '@steward/protocol/node';
import { errorMessage } from '../errors.js';

const IDLE_TIMEOUT_MS = 60_000;

export type PackageDownload =
  | { ok: true }
  | {
      ok: false;
      code: 'AGENT_UPGRADE_DOWNLOAD_FAILED' | 'AGENT_UPGRADE_HASH_MISMATCH';
      reason: string;
    };

/**
 * Downloads one package of the signed client-version target to `dest`, from the site (its CA
 * pinned), hashing while streaming. The bytes are accepted only when their size and SHA-256 are
 * the ones the signed policy names: otherwise the file is deleted and nothing else is touched.
 * More bytes than the policy's size stop the download at once.
 */
export async function downloadPackage(o: {
  baseUrl: string;
  caPem: string;
  headers: Record<string, string>;
  pkg: ClientVersionPackage;
  dest: string;
}): Promise<PackageDownload> {
  const url = new URL(o.pkg.path, o.baseUrl);
  const agent = new Agent({ keepAlive: false, ...pinnedTlsOptions(o.caPem) });
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const r = request(url, {
        method: 'GET',
        agent,
        headers: o.headers,
        timeout: IDLE_TIMEOUT_MS,
      });
      r.on('response', resolve);
      r.on('timeout', () => r.destroy(new Error(`no answer within ${IDLE_TIMEOUT_MS / 1000} s`)));
      r.on('error', reject);
      r.end();
    });
    if (res.statusCode !== 200) {
      res.resume();
      return failed(`${url.pathname} answered HTTP ${String(res.statusCode)}`);
    }
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        if (bytes > o.pkg.size) {
          done(new SizeExceeded());
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(res, counter, createWriteStream(o.dest, { mode: 0o600 }));
  } catch (err) {
    await unlink(o.dest).catch(() => undefined);
    if (err instanceof SizeExceeded) return mismatch(o.pkg, `more than ${o.pkg.size} bytes`);
    return failed(`${url.pathname}: ${errorMessage(err)}`);
  } finally {
    agent.destroy();
  }
  const digest = hash.digest('hex');
  if (bytes !== o.pkg.size || digest !== o.pkg.sha256) {
    await unlink(o.dest).catch(() => undefined);
    return mismatch(o.pkg, `${bytes} bytes with SHA-256 ${digest}`);
  }
  return { ok: true };
}

class SizeExceeded extends Error {}

function failed(reason: string): PackageDownload {
  return { ok: false, code: 'AGENT_UPGRADE_DOWNLOAD_FAILED', reason: `download failed: ${reason}` };
}

function mismatch(pkg: ClientVersionPackage, got: string): PackageDownload {
  return {
    ok: false,
    code: 'AGENT_UPGRADE_HASH_MISMATCH',
    reason: `${pkg.name} refused before anything was replaced: the signed policy says ${pkg.size} bytes with SHA-256 ${pkg.sha256}, the download had ${got}`,
  };
}
