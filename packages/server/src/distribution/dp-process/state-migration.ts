import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, statfs } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import {
  agentOps,
  ErrorCode,
  NotAllowedError,
  NotFoundError,
  UnauthenticatedError,
  UnavailableError,
  type DpStateMigrationAssigned,
  type StoredUserState,
} from '@steward/protocol';
import type { App } from '../../http/types.js';
import { implementAgent } from '../../http/agent-operations.js';
import type { Logger } from 'pino';
import type { DpContentAccess } from './start.js';

const BEARER = /^Bearer\s+(\S+)\s*$/i;
/** An archive's file name in the storage folder. */
const SUFFIX = '.state';
const MIB = 1024 * 1024;
const PARTIAL = /^\.([0-9a-f-]{36})\.[0-9a-f]{8}\.partial$/;

/** The record a file of the folder belongs to: `<id>.state`, or an upload's `.<id>.<n>.partial`. */
function recordOf(name: string): string | undefined {
  if (name.endsWith(SUFFIX)) return name.slice(0, -SUFFIX.length);
  return PARTIAL.exec(name)?.[1];
}

/**
 * The state migration point role of a DP process (issue 11, ADR 0096): it keeps each record's
 * archive as the run sent it (AES-256-GCM ciphertext; the point never has the key) in the
 * storage folder the site set, refuses an upload that would leave less than the minimum free
 * space, and deletes the archives of records the site no longer lists (expired, deleted).
 */
export class DpStateMigrationPoint {
  private settings: DpStateMigrationAssigned | undefined;

  constructor(private readonly log: Logger) {}

  /** The site's settings and kept records from a poll; archives not kept are deleted. */
  async apply(assigned: DpStateMigrationAssigned | undefined): Promise<void> {
    this.settings = assigned;
    if (!assigned) return;
    const keep = new Set(assigned.keepRecordIds);
    const names: string[] = await readdir(assigned.storageFolder).catch(() => []);
    for (const name of names) {
      const record = recordOf(name);
      if (record === undefined || keep.has(record)) continue;
      await rm(join(assigned.storageFolder, name), { force: true });
      this.log.info({ record, file: name }, 'user-state archive deleted');
    }
  }

  private folder(): string {
    const s = this.settings;
    if (!s?.enabled)
      throw new UnavailableError(
        ErrorCode.SMP_UNAVAILABLE,
        'this distribution point is not a state migration point (or has not polled the site yet)',
      );
    return s.storageFolder;
  }

  async put(recordId: string, body: Readable): Promise<StoredUserState> {
    const folder = this.folder();
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const minFree = (this.settings?.minFreeMiB ?? 0) * MIB;
    const free = await statfs(folder);
    if (free.bavail * free.bsize < minFree)
      throw new UnavailableError(
        ErrorCode.SMP_UNAVAILABLE,
        `the state migration point's folder has less free space than its minimum (${String(minFree / MIB)} MiB)`,
      );
    const partial = join(folder, `.${recordId}.${randomBytes(4).toString('hex')}.partial`);
    const hash = createHash('sha256');
    let size = 0;
    const state = { low: false };
    let checked = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        checked += chunk.length;
        if (checked >= 64 * MIB) {
          checked = 0;
          statfs(folder).then(
            (s) => {
              state.low = s.bavail * s.bsize < minFree;
              done(state.low ? new Error('low space') : null, chunk);
            },
            (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
          );
          return;
        }
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, counter, createWriteStream(partial, { mode: 0o600 }));
      await rename(partial, join(folder, `${recordId}${SUFFIX}`));
    } catch (err) {
      await rm(partial, { force: true });
      if (state.low)
        throw new UnavailableError(
          ErrorCode.SMP_UNAVAILABLE,
          "the upload would leave less than the state migration point's minimum free space",
        );
      throw err;
    }
    this.log.info({ record: recordId, size }, 'user-state archive stored');
    return { sizeBytes: size, sha256: hash.digest('hex') };
  }

  async open(recordId: string): Promise<Readable> {
    const path = join(this.folder(), `${recordId}${SUFFIX}`);
    const found = await stat(path).catch(() => undefined);
    if (!found?.isFile())
      throw new NotFoundError('user-state archive', recordId, ErrorCode.USER_STATE_NOT_FOUND);
    return createReadStream(path);
  }
}

/** `PUT|GET /smp/v1/states/:id` on a DP, with the site's token for that record. */
export function registerStateMigrationRoutes(
  app: App,
  deps: { access: DpContentAccess; point: DpStateMigrationPoint },
): void {
  const grantOf = (authorization: string | undefined, access: 'put' | 'get', id: string) => {
    const token = BEARER.exec(authorization ?? '')?.[1];
    if (!token)
      throw new UnauthenticatedError(
        ErrorCode.CONTENT_ACCESS_DENIED,
        "send Authorization: Bearer <the record's token from the site>",
      );
    const claims = deps.access.verifyToken(token);
    if (!(claims.siteContent ?? []).includes(`user-state:${access}:${id}`))
      throw new NotAllowedError(
        `this token does not grant ${access} of user-state record ${id}`,
        ErrorCode.CONTENT_ACCESS_DENIED,
      );
  };
  implementAgent(app, agentOps.stateMigrationPoint, {
    put: (req) => {
      grantOf(req.headers.authorization, 'put', req.params.id);
      return deps.point.put(req.params.id, req.body);
    },
    get: async (req, reply) => {
      grantOf(req.headers.authorization, 'get', req.params.id);
      const stream = await deps.point.open(req.params.id);
      return reply.header('content-type', 'application/octet-stream').send(stream);
    },
  });
}
