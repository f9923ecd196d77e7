import type { FastifyRequest } from 'fastify';
import { DEVICE_AUTH_HEADER, ErrorCode, AppError } from '@steward/protocol';
import type { SiteContext } from '../context.js';
import { sameHash, sha256Hex } from '../enrolment/service.js';
import { authenticateFirst } from './endpoint-guard.js';
import { findDeviceCredentials } from '../devices/repository.js';

interface CachedDevice {
  keyHash: string;
  revoked: boolean;
  name: string;
  loadedAt: number;
}

const CACHE_MS = 60_000;

/**
 * Authenticates agents by the device key issued at enrolment. Keys are cached briefly so a
 * policy request costs no query; revocation clears the cache in every process through the bus.
 */
export class DeviceAuthenticator {
  private cache = new Map<string, CachedDevice>();
  private unsubscribe: () => void;
  private readonly first = authenticateFirst((req) => this.check(req));
  /** Route `onRequest` hook: a request that is not a device's is refused before its body is read. */
  readonly onRequest = this.first.hook;
  readonly header = DEVICE_AUTH_HEADER;

  constructor(private readonly ctx: SiteContext) {
    this.unsubscribe = ctx.bus.subscribe('device-revoked', ({ deviceIds }) => {
      for (const id of deviceIds) this.cache.delete(id);
    });
  }

  stop(): void {
    this.unsubscribe();
  }

  /** Returns the device id, or throws 401/403 with DEVICE_* codes (checked once per request). */
  authenticate(request: FastifyRequest): Promise<{ deviceId: string; name: string }> {
    return this.first.get(request);
  }

  isAuthenticated(request: FastifyRequest): boolean {
    return this.first.has(request);
  }

  private async check(request: FastifyRequest): Promise<{ deviceId: string; name: string }> {
    const header = request.headers[DEVICE_AUTH_HEADER];
    const value = Array.isArray(header) ? header[0] : header;
    const dot = value?.indexOf('.') ?? -1;
    if (!value || dot < 1)
      throw new AppError(
        401,
        ErrorCode.DEVICE_AUTH_FAILED,
        `send the ${DEVICE_AUTH_HEADER} header (enrol first)`,
      );
    const deviceId = value.slice(0, dot);
    const key = value.slice(dot + 1);
    let entry = this.cache.get(deviceId);
    if (!entry || Date.now() - entry.loadedAt > CACHE_MS) {
      const row = await findDeviceCredentials(this.ctx.db.kysely, deviceId);
      if (!row) {
        this.cache.delete(deviceId);
        throw new AppError(
          401,
          ErrorCode.DEVICE_UNKNOWN,
          'this device is not enrolled in the site (enrol it again)',
        );
      }
      entry = {
        keyHash: row.key_hash,
        revoked: row.revoked_at !== null,
        name: row.name,
        loadedAt: Date.now(),
      };
      this.cache.set(deviceId, entry);
    }
    if (!sameHash(sha256Hex(key), entry.keyHash))
      throw new AppError(401, ErrorCode.DEVICE_AUTH_FAILED, 'the device key is wrong');
    if (entry.revoked)
      throw new AppError(
        403,
        ErrorCode.DEVICE_REVOKED,
        'this device was revoked by an administrator',
      );
    return { deviceId, name: entry.name };
  }
}
