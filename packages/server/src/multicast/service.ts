import {
  DpMulticastSettingsOptions,
  ErrorCode,
  InputError,
  settingsDefaults,
  type DpMulticast,
  type DpMulticastAssigned,
  type DpMulticastSessions,
  type DpMulticastSessionsQuery,
  type MulticastSession,
  type SettingValues,
  type UpdateDpMulticastRequest,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize } from '../context.js';
import { inTransaction } from '../db/database.js';
import { mustFindDp } from '../distribution/dp-service.js';
import { getDpRole, updateDpRole, type DpRole } from '../distribution/dp-role-settings.js';
import { raiseSiteStatus } from '../status/site-status.js';
import * as repo from './repository.js';

/** Sessions kept per DP on the site. */
export const MULTICAST_SESSIONS_KEPT = 500;

type Options = SettingValues<typeof DpMulticastSettingsOptions>;

function optionsOf(row: repo.DpMulticastRow | undefined): Options {
  if (!row) return settingsDefaults(DpMulticastSettingsOptions);
  return {
    enabled: row.enabled === 1,
    addressFirst: row.address_first,
    addressLast: row.address_last,
    portFirst: row.port_first,
    portLast: row.port_last,
    minClients: row.min_clients,
    startTimeoutSeconds: row.start_timeout_seconds,
    maxRateMbps: row.max_rate_mbps,
  };
}

/** An IPv4 address as a number (the declaration's pattern has checked its form). */
export function ipv4Number(address: string): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

/** The ranges' own sense, which one field's schema cannot check: first ≤ last. */
function checkRanges(o: Options): void {
  if (ipv4Number(o.addressFirst) > ipv4Number(o.addressLast))
    throw new InputError(
      ErrorCode.MULTICAST_SETTINGS_INVALID,
      `the first multicast address ${o.addressFirst} comes after the last ${o.addressLast}`,
      { field: 'addressFirst' },
    );
  if (o.portFirst > o.portLast)
    throw new InputError(
      ErrorCode.MULTICAST_SETTINGS_INVALID,
      `the first port ${o.portFirst} comes after the last ${o.portLast}`,
      { field: 'portFirst' },
    );
}

function toSession(r: repo.MulticastSessionRow): DpMulticastSessions['items'][number] {
  return {
    dpId: r.dp_id,
    id: r.id,
    sha256: r.sha256,
    fileBytes: Number(r.file_bytes),
    address: r.address,
    port: r.port,
    state: r.state,
    clients: r.clients,
    receivers: r.receivers,
    bytesSent: Number(r.bytes_sent),
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    detail: r.detail,
  };
}

/** Multicast as a role of a DP whose settings are declared once (dp-role-settings.ts). */
const MULTICAST_ROLE: DpRole<typeof DpMulticastSettingsOptions> = {
  declaration: DpMulticastSettingsOptions,
  read: async (db, dpId) => {
    const row = await repo.findDpMulticast(db, dpId);
    return {
      values: optionsOf(row),
      updatedAt: row?.updated_at ?? null,
      updatedBy: row?.updated_by ?? null,
    };
  },
  write: (db, dpId, next, by) =>
    repo.saveDpMulticast(db, {
      dp_id: dpId,
      enabled: next.enabled ? 1 : 0,
      address_first: next.addressFirst,
      address_last: next.addressLast,
      port_first: next.portFirst,
      port_last: next.portLast,
      min_clients: next.minClients,
      start_timeout_seconds: next.startTimeoutSeconds,
      max_rate_mbps: next.maxRateMbps,
      updated_at: by.at,
      updated_by: by.user,
    }),
  check: checkRanges,
  enabled: (o) => o.enabled,
  siteServer: {
    code: ErrorCode.MULTICAST_SITE_SERVER_DP,
    message:
      "the site server's own distribution point sends no multicast: install a standalone DP on the clients' network (steward server --roles dp)",
  },
  auditAction: 'distribution-point.multicast',
  status: 'DP_MULTICAST_SETTINGS_CHANGED',
};

const ended = (state: MulticastSession['state']) => state === 'finished' || state === 'failed';

/**
 * Multicast from a DP managed on the site (issue 11, ADR 0088): settings an administrator
 * changes here, sent to the DP process with its assignments, and the sessions the DP reports.
 */
export class DpMulticastService {
  constructor(private readonly ctx: SiteContext) {}

  private get db() {
    return this.ctx.db.kysely;
  }

  async get(actor: Actor, idOrName: string): Promise<DpMulticast> {
    return getDpRole(this.ctx, actor, idOrName, MULTICAST_ROLE);
  }

  /** Changes the fields given; the change and its status message 52560 are one transaction. */
  update(actor: Actor, idOrName: string, patch: UpdateDpMulticastRequest): Promise<DpMulticast> {
    return updateDpRole(this.ctx, actor, idOrName, patch, MULTICAST_ROLE);
  }

  async sessions(
    actor: Actor,
    idOrName: string,
    q: DpMulticastSessionsQuery,
  ): Promise<DpMulticastSessions> {
    authorize(actor, 'read');
    const dp = await mustFindDp(this.db, idOrName);
    const rows = await repo.listSessions(this.db, {
      dpId: dp.id,
      state: q.state,
      limit: q.limit ?? 100,
    });
    return { dpId: dp.id, items: rows.map(toSession) };
  }

  /** What a DP process gets with its assignments; undefined: the site holds none (off). */
  async assigned(dpId: string): Promise<DpMulticastAssigned | undefined> {
    const row = await repo.findDpMulticast(this.db, dpId);
    return row ? optionsOf(row) : undefined;
  }

  /**
   * A DP's report of its sessions: each is stored by its id; one that reaches an end state
   * for the first time raises 52561 in the same transaction.
   */
  async report(dpId: string, dpName: string, sessions: readonly MulticastSession[]): Promise<void> {
    if (sessions.length === 0) return;
    let raised = 0;
    await inTransaction(this.db, async (tx) => {
      for (const s of sessions) {
        const before = await repo.findSession(tx, dpId, s.id);
        await repo.saveSession(tx, {
          dp_id: dpId,
          id: s.id,
          sha256: s.sha256,
          file_bytes: s.fileBytes,
          address: s.address,
          port: s.port,
          state: s.state,
          clients: s.clients,
          receivers: s.receivers,
          bytes_sent: s.bytesSent,
          created_at: s.createdAt,
          started_at: s.startedAt,
          ended_at: s.endedAt,
          detail: s.detail,
        });
        if (!ended(s.state) || (before !== undefined && ended(before.state))) continue;
        raised++;
        await raiseSiteStatus(
          this.ctx,
          {
            message: 'DP_MULTICAST_SESSION_ENDED',
            insertionStrings: [
              s.id,
              dpName,
              s.state,
              s.sha256,
              String(s.receivers),
              String(s.bytesSent),
              s.detail,
            ],
            attributes: { dpId },
          },
          tx,
        );
      }
      await repo.trimSessions(tx, dpId, MULTICAST_SESSIONS_KEPT);
    });
    if (raised > 0) await this.ctx.bus.publish('status-ingested', { count: raised });
  }
}
