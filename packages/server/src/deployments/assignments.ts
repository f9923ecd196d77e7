import { sign } from 'node:crypto';
import {
  canonicalJson,
  referencesOf,
  type AgentProgram,
  type AssignmentsDocument,
  type ManifestEntry,
  type SignedAssignments,
} from '@steward/protocol';
import type { SiteContext } from '../context.js';
import { nowIso } from '../context.js';
import type { SiteKeys } from '../site/site-keys.js';
import { currentVersionOf, loadVersionFiles } from '../content/repository.js';
import { programRowsByIds, toProgram, type ProgramRow } from './program-repository.js';
import { assignedDeployments, deviceWindows } from './repository/assignments.js';
import type { Queryable } from '../db/database.js';
import { customProgramIds, updateInstallsFor } from '../updates/deployments/agent-install.js';
import { agentTaskSequences } from '../task-sequences/agent-assignment-repository.js';
import { withUpgradePackages } from '../upgrade-packages/service.js';
import { withBootImages } from '../boot-images/resume.js';

/** A cached document is rebuilt after this long even without an event (expiries pass). */
const CACHE_MS = 5 * 60_000;
const MAX_CACHED = 20_000;
/** Package versions are immutable: their manifests are cached for as long as they are used. */
const MAX_MANIFESTS = 500;

interface Entry {
  signed: SignedAssignments;
  collectionIds: ReadonlySet<string>;
  /** Packages the document names, to drop it on their `content-changed`. */
  packages: ReadonlySet<string>;
  /** Package versions the document's programs name: what the device may download. */
  versionIds: ReadonlySet<string>;
  builtAt: number;
}

/**
 * Builds the per-device assignments document (ADR 0007) and signs it with the policy key the
 * agent already trusts. Cached per device, so a hit costs no query: dropped in every process on
 * `deployments-changed` (deployments, programs, windows, and every membership change the
 * membership watch sees) and on `content-changed` for the documents naming that package.
 */
export class AssignmentService {
  private cache = new Map<string, Entry>();
  private manifests = new Map<string, ManifestEntry[]>();
  /** Raised by every drop, so a document built across a change is not cached. */
  private generation = 0;
  private unsubscribe: (() => void)[];

  constructor(
    private readonly ctx: SiteContext,
    private readonly keys: SiteKeys,
  ) {
    this.unsubscribe = [
      ctx.bus.subscribe('deployments-changed', (e) => this.drop(e)),
      // Published after the new current version (or the deletion) committed.
      ctx.bus.subscribe('content-changed', ({ packageId }) => this.dropPackage(packageId)),
    ];
  }

  stop(): void {
    for (const u of this.unsubscribe) u();
  }

  /** Drops the cached documents naming this package (directly or as a dependency's). */
  private dropPackage(packageId: string): void {
    this.generation++;
    for (const [deviceId, entry] of this.cache)
      if (entry.packages.has(packageId)) this.cache.delete(deviceId);
  }

  /** Drops the cached documents an event names (also called directly by this process). */
  drop(e: { collectionIds?: string[]; deviceIds?: string[] }): void {
    this.generation++;
    if (!e.collectionIds && !e.deviceIds) {
      this.cache.clear();
      return;
    }
    for (const id of e.deviceIds ?? []) this.cache.delete(id);
    if (!e.collectionIds?.length) return;
    const changed = new Set(e.collectionIds);
    for (const [deviceId, entry] of this.cache)
      if ([...entry.collectionIds].some((c) => changed.has(c))) this.cache.delete(deviceId);
  }

  async signedFor(deviceId: string): Promise<SignedAssignments> {
    return (await this.entry(deviceId)).signed;
  }

  /**
   * The package versions the device may download (content access tokens, issue 7): those of
   * the programs its assignments document names, dependencies included. Same cache, same drops.
   */
  async versionIdsFor(deviceId: string): Promise<ReadonlySet<string>> {
    return (await this.entry(deviceId)).versionIds;
  }

  private async entry(deviceId: string): Promise<Entry> {
    const hit = this.cache.get(deviceId);
    const age = hit ? this.ctx.clock.now().getTime() - hit.builtAt : -1;
    if (hit && age >= 0 && age < CACHE_MS) return hit;
    const generation = this.generation;
    const built = await this.build(deviceId);
    // A change committed while this was being built: serve it, but do not keep it.
    if (generation !== this.generation) return built;
    this.cache.delete(deviceId);
    if (this.cache.size >= MAX_CACHED) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(deviceId, built);
    return built;
  }

  private async build(deviceId: string): Promise<Entry> {
    const db = this.ctx.db.kysely;
    const { deployments, collectionIds } = await assignedDeployments(
      db,
      deviceId,
      this.ctx.clock.now(),
    );
    // Update deployments' software deployments carry what to install (ADR 0056).
    const installs = await updateInstallsFor(
      db,
      deployments.map((d) => d.id),
    );
    for (const d of deployments) {
      const install = installs.get(d.id);
      if (install) d.updateInstall = install;
    }
    // Custom updates' programs ride along (ADR 0083): the agent runs them, and their content
    // is what the device is then entitled to download from its DP.
    // Task sequences' install-software steps run programs of the content library (issue 11):
    // the agent needs them, and the device may then download their content.
    // A sequence that restarts into the boot image carries the image and its resume token
    // (ADR 0105); the device may then download the image's files from its DP.
    const taskSequences = await withBootImages(
      this.ctx,
      this.keys,
      deviceId,
      await withUpgradePackages(db, await agentTaskSequences(db, deviceId, collectionIds)),
    );
    const programs = await this.programsFor(db, [
      ...deployments.map((d) => d.programId),
      ...customProgramIds(installs.values()),
      ...taskSequences.flatMap((t) => referencesOf(t.sequence.steps).programIds),
    ]);
    const doc: AssignmentsDocument = {
      deviceId,
      issuedAt: nowIso(this.ctx),
      deployments,
      programs,
      maintenanceWindows: await deviceWindows(db, collectionIds),
    };
    if (taskSequences.length > 0) doc.taskSequences = taskSequences;
    const payload = canonicalJson(doc);
    const signature = sign(null, Buffer.from(payload, 'utf8'), this.keys.policySigningKey).toString(
      'base64',
    );
    return {
      signed: { payload, signature },
      collectionIds: new Set(collectionIds),
      packages: new Set(programs.map((p) => p.packageId)),
      versionIds: new Set([
        ...programs.map((p) => p.packageVersionId).filter((v) => v !== ''),
        ...taskSequences.flatMap((t) => (t.bootImage ? [t.bootImage.packageVersionId] : [])),
      ]),
      builtAt: this.ctx.clock.now().getTime(),
    };
  }

  /** The programs deployed and every program they need first (disabled ones included). */
  private async programsFor(db: Queryable, ids: readonly string[]): Promise<AgentProgram[]> {
    const found = new Map<string, ProgramRow>();
    const asked = new Set<string>();
    let wanted = [...new Set(ids)];
    // Dependency chains are short: one query per level until nothing new is needed.
    while (wanted.length > 0) {
      for (const id of wanted) asked.add(id);
      for (const row of await programRowsByIds(db, wanted)) found.set(row.id, row);
      wanted = [
        ...new Set(
          [...found.values()]
            .map((r) => r.depends_on_program_id)
            .filter((d): d is string => d !== null && !asked.has(d)),
        ),
      ];
    }
    const out: AgentProgram[] = [];
    for (const row of [...found.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      const p = toProgram(row);
      const version = await currentVersionOf(db, row.package_id);
      out.push({
        id: p.id,
        name: p.name,
        packageId: p.packageId,
        packageName: p.packageName,
        // No content yet (a dependency's package emptied): the agent waits for content.
        packageVersionId: version?.id ?? '',
        files: version ? await this.manifest(db, version.id) : [],
        commandLine: p.commandLine,
        workingDirectory: p.workingDirectory,
        runAs: p.runAs,
        maxRunMinutes: p.maxRunMinutes,
        successExitCodes: p.successExitCodes,
        rebootExitCodes: p.rebootExitCodes,
        requirements: p.requirements,
        dependsOnProgramId: p.dependsOnProgramId,
        disabled: p.disabled,
      });
    }
    return out;
  }

  private async manifest(db: Queryable, versionId: string): Promise<ManifestEntry[]> {
    const hit = this.manifests.get(versionId);
    if (hit) return hit;
    const files = await loadVersionFiles(db, versionId);
    if (this.manifests.size >= MAX_MANIFESTS) {
      const oldest = this.manifests.keys().next().value;
      if (oldest !== undefined) this.manifests.delete(oldest);
    }
    this.manifests.set(versionId, files);
    return files;
  }
}
