import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import {
  ComputerVariables,
  ConflictError,
  ErrorCode,
  ImportComputerRequest,
  InputError,
  NotFoundError,
  UnauthenticatedError,
  catalogEntry,
  type BootDriversRequest,
  type BootDriversResponse,
  type BootRegisterRequest,
  type BootRegisterResponse,
  type BootStatusRequest,
  type BootTaskSequenceRequest,
  type BootTaskSequenceResponse,
  type ImportedComputer,
  type UnknownComputer,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { parseJsonColumn } from '../db/corrupt-row.js';
import { inTransaction, type Tx } from '../db/database.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { insertStatusMessage } from '../status/repository.js';
import { applyBootRunMessage } from '../task-sequences/boot-runs.js';
import { raiseSiteStatus } from '../status/site-status.js';
import { normaliseMac, normaliseUuid, parseComputersCsv } from './csv.js';
import type { BootSequenceService } from './boot-sequence.js';
import { bootKeyHash } from './service.js';
import * as repo from './repository.js';

const Strings = Type.Array(Type.String());
const checkImport = TypeCompiler.Compile(ImportComputerRequest);

function toImported(r: repo.ImportedComputerRow): ImportedComputer {
  return {
    id: r.id,
    name: r.name,
    mac: r.mac,
    smbiosUuid: r.smbios_uuid,
    variables: parseJsonColumn(ComputerVariables, r.variables, {
      table: 'imported_computer',
      id: r.id,
      column: 'variables',
    }),
    lastBootAt: r.last_boot_at,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}

function toUnknown(r: repo.UnknownComputerRow): UnknownComputer {
  const ref = (column: string) => ({ table: 'unknown_computer' as const, id: r.id, column });
  return {
    id: r.id,
    smbiosUuid: r.smbios_uuid,
    macs: parseJsonColumn(Strings, r.macs, ref('macs')),
    arch: r.arch,
    firmware: r.firmware === 'uefi' ? 'uefi' : 'bios',
    modaliases: parseJsonColumn(Strings, r.modaliases, ref('modaliases')),
    bootImageId: r.boot_image_id,
    address: r.address,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
  };
}

/**
 * Unknown and imported computers (issue 11, ADR 0065), and what a boot environment calls: it
 * proves it runs an image of this site with the image's boot key, identifies its machine, and
 * is matched to an imported computer (SMBIOS UUID first, then any of its MACs) or registered
 * (again) as an unknown computer.
 */
export class ComputerService {
  constructor(private readonly ctx: SiteContext) {}

  private get db() {
    return this.ctx.db.kysely;
  }

  async listImported(actor: Actor): Promise<ImportedComputer[]> {
    authorize(actor, 'read');
    return (await repo.listImportedComputers(this.db)).map(toImported);
  }

  async listUnknown(actor: Actor): Promise<UnknownComputer[]> {
    authorize(actor, 'read');
    return (await repo.listUnknownComputers(this.db)).map(toUnknown);
  }

  async importOne(actor: Actor, req: ImportComputerRequest): Promise<ImportedComputer> {
    authorize(actor, 'devices:write');
    const [one] = await this.importAll(actor, [req]);
    if (!one) throw new Error('import wrote nothing');
    return one;
  }

  async importCsv(actor: Actor, csv: string): Promise<{ imported: ImportedComputer[] }> {
    authorize(actor, 'devices:write');
    const rows = parseComputersCsv(csv);
    rows.forEach((r, i) => {
      if (!checkImport.Check(r)) {
        const first = [...checkImport.Errors(r)][0];
        throw new InputError(
          ErrorCode.IMPORTED_COMPUTER_CSV_INVALID,
          `line ${String(i + 2)}: ${first?.path ?? ''} ${first?.message ?? 'invalid'}`,
          { line: i + 2 },
        );
      }
    });
    return { imported: await this.importAll(actor, rows) };
  }

  /** All or none, in one transaction; a duplicate name, MAC or UUID refuses the lot. */
  private async importAll(
    actor: Actor,
    reqs: ImportComputerRequest[],
  ): Promise<ImportedComputer[]> {
    const at = nowIso(this.ctx);
    try {
      return await inTransaction(this.db, async (tx) => {
        const out: ImportedComputer[] = [];
        for (const req of reqs) out.push(await this.insertImported(tx, actor, req, at));
        return out;
      });
    } catch (err) {
      if (isUniqueViolation(err))
        throw new ConflictError(
          ErrorCode.IMPORTED_COMPUTER_EXISTS,
          'another imported computer has that name, MAC or SMBIOS UUID',
        );
      throw err;
    }
  }

  private async insertImported(
    tx: Tx,
    actor: Actor,
    req: ImportComputerRequest,
    at: string,
  ): Promise<ImportedComputer> {
    const mac = req.mac ? normaliseMac(req.mac) : null;
    const uuid = normaliseUuid(req.smbiosUuid);
    if (!mac && !uuid)
      throw new InputError(
        ErrorCode.IMPORTED_COMPUTER_NO_IDENTITY,
        `${req.name}: give a MAC address or a (non-zero) SMBIOS UUID`,
      );
    const row = {
      id: randomUUID(),
      name: req.name,
      mac,
      smbios_uuid: uuid,
      variables: JSON.stringify(req.variables ?? {}),
      last_boot_at: null,
      created_at: at,
      created_by: actor.userName,
    };
    await repo.insertImportedComputer(tx, row);
    await writeAudit(tx, actor, at, {
      action: 'imported-computer.create',
      targetType: 'imported-computer',
      targetId: row.id,
      details: { name: req.name, mac, smbiosUuid: uuid },
    });
    return toImported(row);
  }

  async deleteImported(actor: Actor, id: string): Promise<void> {
    authorize(actor, 'devices:write');
    const row = await repo.findImportedComputer(this.db, id);
    if (!row)
      throw new NotFoundError('imported computer', id, ErrorCode.IMPORTED_COMPUTER_NOT_FOUND);
    await inTransaction(this.db, async (tx) => {
      await repo.deleteImportedComputer(tx, row.id);
      await writeAudit(tx, actor, nowIso(this.ctx), {
        action: 'imported-computer.delete',
        targetType: 'imported-computer',
        targetId: row.id,
        details: { name: row.name },
      });
    });
  }

  async deleteUnknown(actor: Actor, id: string): Promise<void> {
    authorize(actor, 'devices:write');
    if (!(await repo.deleteUnknownComputer(this.db, id)))
      throw new NotFoundError('unknown computer', id, ErrorCode.UNKNOWN_COMPUTER_NOT_FOUND);
  }

  // ---- the boot environment ----

  private async imageOf(bootKey: string): Promise<repo.BootImageRow> {
    const image = await repo.findBootImageByKey(this.db, bootKeyHash(bootKey));
    if (!image)
      throw new UnauthenticatedError(
        ErrorCode.BOOT_IMAGE_KEY_INVALID,
        'the boot key names no boot image of this site',
      );
    return image;
  }

  async register(req: BootRegisterRequest, address: string): Promise<BootRegisterResponse> {
    const image = await this.imageOf(req.bootKey);
    const macs = [...new Set(req.macs.map(normaliseMac))];
    const uuid = normaliseUuid(req.smbiosUuid);
    const at = nowIso(this.ctx);
    const bootImage = `${image.name} ${String(image.version)}`;
    const matched = await repo.matchImportedComputer(this.db, uuid, macs);
    if (matched) {
      await repo.setImportedLastBoot(this.db, matched.row.id, at);
      await raiseSiteStatus(this.ctx, {
        message: 'IMPORTED_COMPUTER_MATCHED',
        insertionStrings: [
          matched.row.name,
          matched.by === 'mac' ? 'MAC' : 'SMBIOS UUID',
          bootImage,
        ],
        attributes: { importedComputerId: matched.row.id, bootImageId: image.id },
      });
      return {
        kind: 'imported',
        computerId: matched.row.id,
        name: matched.row.name,
        matchedBy: matched.by,
        variables: toImported(matched.row).variables,
      };
    }
    const id = await this.upsertUnknown(req, image.id, uuid, macs, address, at);
    await raiseSiteStatus(this.ctx, {
      message: 'UNKNOWN_COMPUTER_REGISTERED',
      insertionStrings: [uuid ?? '(none)', macs[0] ?? '', bootImage],
      attributes: { unknownComputerId: id, bootImageId: image.id },
    });
    return { kind: 'unknown', computerId: id, name: null, matchedBy: null, variables: {} };
  }

  /** One row per machine: by SMBIOS UUID, or by its first MAC when it has no usable UUID. */
  private async upsertUnknown(
    req: BootRegisterRequest,
    imageId: string,
    uuid: string | null,
    macs: string[],
    address: string,
    at: string,
  ): Promise<string> {
    const identity = uuid ?? `mac:${macs[0] ?? ''}`;
    const fields = {
      smbios_uuid: uuid,
      macs: JSON.stringify(macs),
      arch: req.arch,
      firmware: req.firmware,
      modaliases: JSON.stringify(req.modaliases),
      boot_image_id: imageId,
      address,
      last_seen: at,
    };
    return inTransaction(this.db, async (tx) => {
      const known = await repo.findUnknownByIdentity(tx, identity);
      if (known) {
        await repo.updateUnknownComputer(tx, known.id, fields);
        return known.id;
      }
      const id = randomUUID();
      await repo.insertUnknownComputer(tx, { id, identity, first_seen: at, ...fields });
      return id;
    });
  }

  /** An apply-drivers step's driver packages (issue 11 gap 2), once the key is checked. */
  async drivers(
    req: BootDriversRequest,
    address: string,
    sequences: BootSequenceService,
  ): Promise<BootDriversResponse> {
    await this.imageOf(req.bootKey);
    return sequences.drivers(req, address);
  }

  /** The deployed task sequence of a registered computer (ADR 0085), once its key is checked. */
  async taskSequence(
    req: BootTaskSequenceRequest,
    address: string,
    sequences: BootSequenceService,
  ): Promise<BootTaskSequenceResponse> {
    await this.imageOf(req.bootKey);
    return sequences.taskSequence(req, address);
  }

  async status(req: BootStatusRequest, address: string): Promise<void> {
    const image = await this.imageOf(req.bootKey);
    const entry = catalogEntry(req.messageId);
    if (
      !entry ||
      (entry.component !== 'boot-environment' && entry.component !== 'task-sequence-engine')
    )
      throw new InputError(
        ErrorCode.INVALID_INPUT,
        `${String(req.messageId)} is no boot-environment or task-sequence message`,
      );
    const at = nowIso(this.ctx);
    const attributes = {
      ...req.attributes,
      bootImageId: image.id,
      computerId: req.computerId,
      address,
    };
    await insertStatusMessage(this.db, {
      message_id: entry.id,
      severity: entry.severity,
      type: entry.type,
      component: entry.component,
      device_id: null,
      machine: `boot:${req.computerId}`,
      site_code: this.ctx.siteCode,
      at,
      received_at: at,
      insertion_strings: JSON.stringify(req.insertionStrings),
      // The site's own attributes win over the caller's: they say who sent it.
      attributes: JSON.stringify(attributes),
    });
    // The computer's run moves on with it (ADR 0103): the live progress of the deployment.
    await applyBootRunMessage(this.db, this.ctx.db.dialect, req.computerId, {
      messageId: entry.id,
      severity: entry.severity,
      type: entry.type,
      component: entry.component,
      at,
      insertionStrings: req.insertionStrings,
      attributes,
    });
    await this.ctx.bus.publish('status-ingested', { count: 1 });
  }
}
