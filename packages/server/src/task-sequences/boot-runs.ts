import { Type } from '@sinclair/typebox';
import {
  isRecord,
  SequenceProgress,
  TaskSequenceRunAttribute as A,
  type BootComputerKind,
  type StatusMessageBody,
} from '@steward/protocol';
import { parseJsonColumn } from '../db/corrupt-row.js';
import { inTransaction, type Dialect, type Queryable } from '../db/database.js';
import { classDataOf } from '../inventory/repository.js';
import { applyEngineMessage, isEngineMessage } from './run-ingest.js';
import * as repo from './boot-run-repository.js';

/**
 * The runs of boot environments (issue 11, ADR 0103): a computer booted by PXE or media has no
 * device yet, so its run is kept per deployment and registered computer, opened when the site
 * offers the deployment, advanced by the engine's status messages exactly as a device's run is
 * (`applyEngineMessage`), and tied to the device the installed system enrols as.
 */

export interface BootRunComputer {
  kind: BootComputerKind;
  id: string;
  /** The imported computer's name; null for an unknown computer (named by UUID or MAC). */
  name: string | null;
  smbiosUuid: string | null;
  macs: readonly string[];
}

/**
 * Opens the computer's run of the deployment it was just offered (`running`, step 0 of m); a
 * run already there stays as it is: the boot environment resumes after a restart, or a new
 * run's TASK_SEQUENCE_STARTED starts its record over.
 */
export async function openBootRunOf(
  db: Queryable,
  a: {
    deploymentId: string;
    computer: BootRunComputer;
    sequenceId: string;
    version: number;
    stepCount: number;
    at: string;
  },
): Promise<void> {
  const c = a.computer;
  const progress: SequenceProgress = {
    sequenceId: a.sequenceId,
    version: a.version,
    state: 'running',
    currentStepId: null,
    currentStepName: null,
    stepNumber: 0,
    stepCount: a.stepCount,
    history: [],
    startedAt: a.at,
    updatedAt: a.at,
  };
  await repo.openBootRun(db, {
    deployment_id: a.deploymentId,
    computer_id: c.id,
    computer_kind: c.kind,
    computer_name: c.name ?? c.smbiosUuid ?? c.macs[0] ?? c.id,
    smbios_uuid: c.smbiosUuid,
    macs: JSON.stringify(c.macs),
    device_id: null,
    state: progress.state,
    step_number: progress.stepNumber,
    step_count: progress.stepCount,
    current_step: null,
    progress: JSON.stringify(progress),
    updated_at: a.at,
  });
}

export function bootRunProgress(row: repo.BootRunRow): SequenceProgress {
  return parseJsonColumn(SequenceProgress, row.progress, {
    table: 'task_sequence_boot_run',
    id: `${row.deployment_id}/${row.computer_id}`,
    column: 'progress',
  });
}

/**
 * Moves the computer's run one engine message on. Only a run the site opened for this computer
 * moves: a boot environment cannot write into a deployment it was never offered.
 */
export async function applyBootRunMessage(
  db: Queryable,
  dialect: Dialect,
  computerId: string,
  m: StatusMessageBody,
): Promise<void> {
  const deploymentId = m.attributes[A.deployment];
  if (deploymentId === undefined || !isEngineMessage(m.messageId)) return;
  await inTransaction(db, async (tx) => {
    const row = await repo.lockBootRun(tx, { deploymentId, computerId, dialect });
    if (!row) return;
    const p = applyEngineMessage(bootRunProgress(row), m);
    await repo.updateBootRun(
      tx,
      { deploymentId, computerId },
      {
        state: p.state,
        step_number: p.stepNumber,
        step_count: p.stepCount,
        current_step: p.currentStepName,
        progress: JSON.stringify(p),
        updated_at: p.updatedAt,
      },
    );
  });
}

function instancesOf(row: { data: unknown } | undefined): Record<string, unknown>[] {
  const data: unknown = typeof row?.data === 'string' ? JSON.parse(row.data) : row?.data;
  return Array.isArray(data) ? data.filter(isRecord) : [];
}

const Strings = Type.Array(Type.String());
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** The device's hardware as its inventory holds it: SMBIOS UUID and MACs, lower case. */
async function hardwareOf(
  db: Queryable,
  deviceId: string,
): Promise<{ smbiosUuid: string | null; macs: string[] }> {
  const identity = instancesOf(await classDataOf(db, { deviceId, className: 'systemIdentity' }));
  const uuid = identity[0]?.['uuid'];
  const adapters = instancesOf(await classDataOf(db, { deviceId, className: 'networkAdapter' }));
  const macs = adapters
    .map((a) => (typeof a['mac'] === 'string' ? a['mac'].toLowerCase() : ''))
    .filter((mac) => MAC.test(mac) && mac !== '00:00:00:00:00:00');
  return {
    smbiosUuid: typeof uuid === 'string' && uuid !== '' ? uuid.toLowerCase() : null,
    macs: [...new Set(macs)],
  };
}

/**
 * Ties the boot-environment runs of this device's hardware to it, after an inventory report
 * changed its identity or adapters: the installed system enrolled. Both sides' SMBIOS UUIDs
 * must agree when both have one (a MAC moves between machines more easily than a board);
 * otherwise a MAC of the run's list is enough. Returns the runs tied.
 */
export async function tieBootRuns(db: Queryable, deviceId: string): Promise<repo.BootRunRow[]> {
  const hw = await hardwareOf(db, deviceId);
  if (!hw.smbiosUuid && hw.macs.length === 0) return [];
  const candidates = await repo.untiedBootRunsOf(db, hw);
  const tied = candidates.filter((r) => {
    if (r.smbios_uuid && hw.smbiosUuid) return r.smbios_uuid === hw.smbiosUuid;
    const macs = parseJsonColumn(Strings, r.macs, {
      table: 'task_sequence_boot_run',
      id: `${r.deployment_id}/${r.computer_id}`,
      column: 'macs',
    });
    return macs.some((m) => hw.macs.includes(m));
  });
  for (const r of tied)
    await repo.updateBootRun(
      db,
      { deploymentId: r.deployment_id, computerId: r.computer_id },
      { device_id: deviceId },
    );
  return tied;
}
