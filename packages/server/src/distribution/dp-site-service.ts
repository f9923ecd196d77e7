import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import {
  DP_AUTH_HEADER,
  type DpAssignedPackage,
  type DpAssignments,
  type DpRegisterRequest,
  type DpRegisterResponse,
  type DpStatusReport,
  AppError,
  InputError,
  ErrorCode,
} from '@steward/protocol';
import type { SiteContext } from '../context.js';
import { nowIso } from '../context.js';
import { sameHash, sha256Hex } from '../enrolment/service.js';
import { raiseSiteStatus } from '../status/site-status.js';
import { issueServerCertificate, type SiteKeys } from '../site/site-keys.js';
import { loadManifests } from '../content/repository.js';
import { moveTargetsToVersion } from './content-status-repository.js';
import {
  completeDpRegistration,
  dpAssignmentRows,
  dpHoldsFile,
  findDpByRegistrationHash,
  findDpKey,
  markDpSeen,
} from './dp-site-repository.js';
import { applyDpStatusItem, wholeBytes } from './dp-status.js';
import { dpPollSeconds } from './dp-state.js';
import { authenticateFirst } from '../agent-api/endpoint-guard.js';
import { inTransaction } from '../db/database.js';

export interface AuthenticatedDp {
  id: string;
  name: string;
}

function refused(code: ErrorCode, message: string): AppError {
  return new AppError(401, code, message);
}

/**
 * The site's side of the DP protocol (ADR 0007), on the agent listener: one-time registration,
 * assignments (what to hold), the files themselves and status reports (also the heartbeat).
 */
export class DpSiteService {
  constructor(
    private readonly ctx: SiteContext,
    private readonly keys: SiteKeys,
  ) {}

  /**
   * Trades the one-time secret of a registration token for a DP key (kept hashed), a TLS
   * certificate from the site CA for the DP's names, and the key that verifies access tokens.
   */
  async register(req: DpRegisterRequest, from: string): Promise<DpRegisterResponse> {
    const db = this.ctx.db.kysely;
    const hash = sha256Hex(req.secret);
    const row = await findDpByRegistrationHash(db, hash);
    if (!row)
      throw refused(
        ErrorCode.DP_TOKEN_INVALID,
        'the registration token is not known to this site (used already? renew it)',
      );
    const at = nowIso(this.ctx);
    if (row.registration_expires_at !== null && row.registration_expires_at < at)
      throw refused(
        ErrorCode.DP_TOKEN_EXPIRED,
        `the registration token expired at ${row.registration_expires_at} (renew it)`,
      );
    let tls: { certChainPem: string; keyPem: string };
    try {
      tls = await issueServerCertificate(this.keys, req.hostnames);
    } catch (err) {
      throw new InputError(
        'INVALID_INPUT',
        `cannot issue a certificate for ${req.hostnames.join(', ')}: ${String(err)}`,
      );
    }
    const dpKey = randomBytes(32).toString('base64url');
    const done = await inTransaction(db, async (tx) => {
      const won = await completeDpRegistration(tx, {
        dpId: row.id,
        registrationHash: hash,
        keyHash: sha256Hex(dpKey),
        url: req.url.replace(/\/+$/, ''),
        version: req.version,
        at,
      });
      if (!won) return false;
      await raiseSiteStatus(
        this.ctx,
        {
          message: 'DP_REGISTERED',
          insertionStrings: [row.name, `${from} (${req.url})`],
          attributes: { distributionPoint: row.id },
        },
        tx,
      );
      return true;
    });
    if (!done) throw refused(ErrorCode.DP_TOKEN_INVALID, 'the registration token was just used');
    await this.ctx.bus.publish('status-ingested', { count: 1 });
    return {
      dpId: row.id,
      dpKey,
      siteCode: this.keys.siteCode,
      certChainPem: tls.certChainPem,
      keyPem: tls.keyPem,
      accessTokenKey: this.keys.policySigningPublicPem,
    };
  }

  private readonly first = authenticateFirst((req) => this.check(req));
  /** Route `onRequest` hook: a request that is not a DP's is refused before its body is read. */
  readonly onRequest = this.first.hook;
  readonly header = DP_AUTH_HEADER;

  /** `x-steward-dp: <dpId>.<dpKey>`, checked once per request; 401 DP_AUTH_FAILED otherwise. */
  authenticate(request: FastifyRequest): Promise<AuthenticatedDp> {
    return this.first.get(request);
  }

  isAuthenticated(request: FastifyRequest): boolean {
    return this.first.has(request);
  }

  private async check(request: FastifyRequest): Promise<AuthenticatedDp> {
    const header = request.headers[DP_AUTH_HEADER];
    const value = Array.isArray(header) ? header[0] : header;
    const dot = value?.indexOf('.') ?? -1;
    if (!value || dot < 1)
      throw refused(ErrorCode.DP_AUTH_FAILED, `send the ${DP_AUTH_HEADER} header`);
    const row = await findDpKey(this.ctx.db.kysely, value.slice(0, dot));
    if (!row?.key_hash || !sameHash(sha256Hex(value.slice(dot + 1)), row.key_hash))
      throw refused(
        ErrorCode.DP_AUTH_FAILED,
        'unknown distribution point or wrong key (deleted? register it again)',
      );
    return { id: row.id, name: row.name };
  }

  private async seen(
    dpId: string,
    extra: { version?: string; stored_bytes?: number; url?: string } = {},
  ) {
    await markDpSeen(this.ctx.db.kysely, { dpId, at: nowIso(this.ctx), ...extra });
  }

  /** What this DP is to hold: each targeted package's current version and its manifest. */
  async assignments(dp: AuthenticatedDp): Promise<DpAssignments> {
    await this.seen(dp.id);
    const db = this.ctx.db.kysely;
    const rows = await dpAssignmentRows(db, dp.id);
    const manifests = await loadManifests(
      db,
      rows.map((r) => r.id),
    );
    const at = nowIso(this.ctx);
    const packages: DpAssignedPackage[] = [];
    for (const row of rows) {
      const current = row.target_version_id === row.id;
      if (!current)
        await moveTargetsToVersion(db, {
          packageId: row.package_id,
          version: {
            id: row.id,
            package_id: row.package_id,
            number: row.number,
            size_bytes: Number(row.size_bytes),
          },
          at,
          dpId: dp.id,
        });
      packages.push({
        packageId: row.package_id,
        packageName: row.name,
        packageVersionId: row.id,
        versionNumber: row.number,
        files: manifests.get(row.id) ?? [],
        validateRequestedAt: current ? row.validate_requested_at : null,
      });
    }
    return { packages, pollSeconds: dpPollSeconds() };
  }

  /** A DP's report: its heartbeat, and per package the state of the version it works on. */
  async status(dp: AuthenticatedDp, report: DpStatusReport): Promise<void> {
    await this.seen(dp.id, {
      version: report.version,
      stored_bytes: wholeBytes(report.storedBytes),
      ...(report.url !== undefined ? { url: report.url.replace(/\/+$/, '') } : {}),
    });
    for (const item of report.items) await applyDpStatusItem(this.ctx, dp, item);
  }

  /** Whether `sha256` belongs to content this DP is asked to hold (DPs get nothing else). */
  async mayFetch(dp: AuthenticatedDp, sha256: string): Promise<boolean> {
    return dpHoldsFile(this.ctx.db.kysely, { dpId: dp.id, sha256 });
  }
}
