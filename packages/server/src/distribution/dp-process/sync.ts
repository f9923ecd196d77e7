import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import {
  agentOps,
  type DpAssignedPackage,
  type DpAssignments,
  type DpStatusItem,
} from '@steward/protocol';
import type { Clock } from '../../context.js';
import type { ContentStore } from '../../content/content-store.js';
import type { SiteClient } from './site-client.js';
import { pullFile } from './pull.js';
import type { DpPxeController } from './pxe-controller.js';
import type { DpMulticastController } from './multicast.js';
import type { DpStateMigrationPoint } from './state-migration.js';

/** While files move, the site hears about progress this often (it is also the DP's heartbeat). */
const PROGRESS_REPORT_MS = 1000;

export interface DpSyncOptions {
  client: SiteClient;
  store: ContentStore;
  log: Logger;
  clock: Clock;
  version: string;
  /** The URL this DP serves at, reported so the site follows a changed port or --public-url. */
  url: string;
  /** STEWARD_DP_POLL_SECONDS: overrides the site's pollSeconds (tests). */
  pollSecondsOverride?: number | undefined;
  bytesPerSecond?: number | undefined;
  /** The PXE responder, given the site's PXE settings each poll and asked for its activity. */
  pxe?: DpPxeController | undefined;
  /** Multicast sessions (ADR 0088): given the site's settings each poll, reported after it. */
  multicast?: DpMulticastController | undefined;
  /** The state migration point role (ADR 0096): its settings and kept records each poll. */
  stateMigration?: DpStateMigrationPoint | undefined;
}

function uniqueFiles(pkg: DpAssignedPackage): Map<string, number> {
  return new Map(pkg.files.map((f) => [f.sha256, f.size]));
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The DP's work loop: ask the site what to hold, pull what is missing (resumable, verified),
 * re-hash on "validate content", drop what is no longer assigned, and report per package.
 */
export class DpSync {
  private readonly status = new Map<string, DpStatusItem>();
  /** validateRequestedAt already answered, per package version. */
  private readonly validated = new Map<string, string>();
  private readonly abort = new AbortController();
  /** The file hashes of each package version assigned to this DP, from the last assignments. */
  private assigned = new Map<string, ReadonlySet<string>>();
  private loop: Promise<void> | undefined;
  private lastReport = 0;
  /** Reports go one after another: an old progress report must never land after a newer state. */
  private reports: Promise<void> = Promise.resolve();
  private progressQueued = false;

  constructor(private readonly opts: DpSyncOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    await this.reports;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    // A function, not the property: stop() aborts during the awaits, which narrowing cannot see.
    const stopped = (): boolean => signal.aborted;
    while (!stopped()) {
      let pollSeconds = this.opts.pollSecondsOverride ?? 30;
      try {
        const a = await this.opts.client.call(agentOps.distributionPoint.assignments, {});
        pollSeconds = this.opts.pollSecondsOverride ?? a.pollSeconds;
        // PXE first: a new setting must not wait behind a long content pull.
        await this.applyPxe(a.pxe);
        this.opts.multicast?.apply(a.multicast);
        await this.opts.stateMigration?.apply(a.stateMigration);
        await this.cycle(a.packages);
        await this.reportPxe();
        await this.opts.multicast?.report();
      } catch (err) {
        if (stopped()) break;
        this.opts.log.warn({ err: errorText(err) }, 'distribution point cycle failed');
      }
      await sleep(pollSeconds * 1000, undefined, { signal }).catch(() => undefined);
    }
  }

  private async applyPxe(settings: DpAssignments['pxe']): Promise<void> {
    try {
      await this.opts.pxe?.apply(settings);
    } catch (err) {
      this.opts.log.warn({ err: errorText(err) }, 'PXE settings not applied');
    }
  }

  /** Sends the PXE requests seen since the last report (kept for the next poll on failure). */
  private async reportPxe(): Promise<void> {
    const batch = this.opts.pxe?.nextReport();
    if (!batch) return;
    try {
      await this.opts.client.call(agentOps.dpPxe.activity, { body: { entries: batch.entries } });
      batch.sent();
    } catch (err) {
      this.opts.log.warn({ err: errorText(err) }, 'PXE activity not reported');
    }
  }

  /**
   * The files of a package version assigned to this DP (undefined when it is not): content
   * access tokens are honoured only for these (issue 7). Empty until the first assignments.
   */
  filesOf(packageVersionId: string): ReadonlySet<string> | undefined {
    return this.assigned.get(packageVersionId);
  }

  private async cycle(packages: DpAssignedPackage[]): Promise<void> {
    this.assigned = new Map(
      packages.map((p) => [p.packageVersionId, new Set(p.files.map((f) => f.sha256))]),
    );
    for (const id of [...this.status.keys()])
      if (!packages.some((p) => p.packageVersionId === id)) this.status.delete(id);
    for (const pkg of packages) await this.validateIfAsked(pkg);
    for (const pkg of packages) await this.ensure(pkg);
    await this.dropUnassigned(packages);
    await this.report();
  }

  /** Re-hashes every file of the package; bad ones are removed, so `ensure` pulls them again. */
  private async validateIfAsked(pkg: DpAssignedPackage): Promise<void> {
    const asked = pkg.validateRequestedAt;
    if (asked === null || this.validated.get(pkg.packageVersionId) === asked) return;
    const files = uniqueFiles(pkg);
    const bad: string[] = [];
    for (const sha256 of files.keys()) {
      if (await this.opts.store.verify(sha256)) continue;
      bad.push(sha256);
      await this.opts.store.remove(sha256);
    }
    const total = [...files.values()].reduce((a, b) => a + b, 0);
    this.validated.set(pkg.packageVersionId, asked);
    this.status.set(pkg.packageVersionId, {
      packageVersionId: pkg.packageVersionId,
      state: bad.length ? 'validation-failed' : 'installed',
      bytesDone: bad.length ? 0 : total,
      bytesTotal: total,
      validatedAt: this.opts.clock.now().toISOString(),
      ...(bad.length ? { badFiles: bad.slice(0, 1000) } : {}),
    });
    this.opts.log.info({ package: pkg.packageName, bad }, 'content validated');
    await this.report();
  }

  /** Pulls the package's missing files; installed when every file is held with its hash. */
  private async ensure(pkg: DpAssignedPackage): Promise<void> {
    const files = uniqueFiles(pkg);
    const total = [...files.values()].reduce((a, b) => a + b, 0);
    const missing: [string, number][] = [];
    let held = 0;
    for (const [sha256, size] of files) {
      if (await this.opts.store.has(sha256)) held += size;
      else missing.push([sha256, size]);
    }
    const id = pkg.packageVersionId;
    const set = (item: Omit<DpStatusItem, 'packageVersionId' | 'bytesTotal'>) =>
      this.status.set(id, { packageVersionId: id, bytesTotal: total, ...item });
    if (missing.length === 0) {
      set({ state: 'installed', bytesDone: total });
      return;
    }
    let done = held;
    set({ state: 'distributing', bytesDone: done });
    await this.report();
    try {
      for (const [sha256, size] of missing) {
        await pullFile(sha256, size, {
          client: this.opts.client,
          store: this.opts.store,
          log: this.opts.log,
          signal: this.abort.signal,
          bytesPerSecond: this.opts.bytesPerSecond,
          onBytes: (n) => {
            done += n;
            set({ state: 'distributing', bytesDone: Math.min(done, total) });
            this.reportSoon();
          },
        });
      }
      set({ state: 'installed', bytesDone: total });
      this.opts.log.info(
        { package: pkg.packageName, version: pkg.versionNumber },
        'package installed',
      );
    } catch (err) {
      if (this.abort.signal.aborted) throw err;
      set({
        state: 'failed',
        bytesDone: Math.min(done, total),
        message: errorText(err).slice(0, 2000),
      });
      this.opts.log.warn({ package: pkg.packageName, err: errorText(err) }, 'package pull failed');
    }
  }

  /** Files of packages no longer assigned (and their partials) are deleted. */
  private async dropUnassigned(packages: DpAssignedPackage[]): Promise<void> {
    const needed = new Set(packages.flatMap((p) => p.files.map((f) => f.sha256)));
    for (const sha256 of await this.storedFiles()) {
      if (needed.has(sha256)) continue;
      await this.opts.store.remove(sha256);
      this.opts.log.info({ sha256 }, 'removed content no longer assigned');
    }
    const partials = join(this.opts.store.rootDir, 'partial');
    for (const name of await readdir(partials).catch(() => [])) {
      const sha256 = name.replace(/\.partial$/, '');
      if (!needed.has(sha256)) await rm(join(partials, name), { force: true });
    }
  }

  private async storedFiles(): Promise<string[]> {
    const root = join(this.opts.store.rootDir, 'sha256');
    const out: string[] = [];
    for (const dir of await readdir(root).catch(() => [])) {
      for (const name of await readdir(join(root, dir)).catch(() => []))
        if (/^[0-9a-f]{64}$/.test(name)) out.push(name);
    }
    return out;
  }

  private async storedBytes(): Promise<number> {
    let total = 0;
    for (const sha256 of await this.storedFiles())
      total += await stat(this.opts.store.pathOf(sha256)).then(
        (s) => s.size,
        () => 0,
      );
    return total;
  }

  private reportSoon(): void {
    if (this.progressQueued || Date.now() - this.lastReport < PROGRESS_REPORT_MS) return;
    this.progressQueued = true;
    void this.report().finally(() => (this.progressQueued = false));
  }

  private report(): Promise<void> {
    this.reports = this.reports.then(() => this.send());
    return this.reports;
  }

  /** Sends every package's state; a validation result is sent once, then plain state. */
  private async send(): Promise<void> {
    this.lastReport = Date.now();
    const items = [...this.status.values()];
    try {
      await this.opts.client.call(agentOps.distributionPoint.status, {
        body: {
          version: this.opts.version,
          storedBytes: await this.storedBytes(),
          url: this.opts.url,
          items,
        },
      });
      for (const item of items) {
        if (item.validatedAt === undefined) continue;
        if (this.status.get(item.packageVersionId) !== item) continue;
        const rest = { ...item };
        delete rest.validatedAt;
        delete rest.badFiles;
        this.status.set(item.packageVersionId, rest);
      }
    } catch (err) {
      this.opts.log.warn({ err: errorText(err) }, 'status report failed');
    }
  }
}
