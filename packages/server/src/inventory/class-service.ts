import {
  BUILTIN_CLASSES,
  BUILTIN_CLASS_NAMES,
  ErrorCode,
  customClassShape,
  type CustomClassDefinition,
  type InventoryClassInfo,
  ConflictError,
  InputError,
  NotFoundError,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { bumpPolicyVersion } from '../agent-api/policy.js';
import { loadCustomClasses } from './classes.js';
import { customClassExists, deleteCustomClass, saveCustomClass } from './repository.js';
import { inTransaction } from '../db/database.js';

function checkDefinition(def: CustomClassDefinition): void {
  const names = new Set<string>();
  for (const p of def.properties) {
    if (names.has(p.name))
      throw new InputError(
        ErrorCode.INVENTORY_CLASS_INVALID,
        `property "${p.name}" is defined twice`,
      );
    names.add(p.name);
    if (def.source.kind === 'kernel' && !/^\/(proc|sys)\//.test(p.from)) {
      throw new InputError(
        ErrorCode.INVENTORY_CLASS_INVALID,
        `property "${p.name}": a kernel value must be read from /proc or /sys, not "${p.from}"`,
      );
    }
  }
  if (def.source.kind === 'command' && def.source.format === 'regex') {
    if (!def.source.pattern)
      throw new InputError(
        ErrorCode.INVENTORY_CLASS_INVALID,
        'a regex command source needs a pattern',
      );
    try {
      new RegExp(def.source.pattern);
    } catch (err) {
      throw new InputError(
        ErrorCode.INVENTORY_CLASS_INVALID,
        `the pattern is not a valid regular expression: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
}

/** Custom inventory classes (the SMS_def.mof extension analog): reach agents through policy. */
export class InventoryClassService {
  constructor(private readonly ctx: SiteContext) {}

  async list(actor: Actor): Promise<InventoryClassInfo[]> {
    authorize(actor, 'read');
    const custom = await loadCustomClasses(this.ctx);
    return [
      ...BUILTIN_CLASSES.map((c) => ({ ...c, builtin: true })),
      ...custom.map((def) => ({ ...customClassShape(def), builtin: false, definition: def })),
    ];
  }

  async get(actor: Actor, name: string): Promise<InventoryClassInfo> {
    const found = (await this.list(actor)).find((c) => c.name === name);
    if (!found) throw new NotFoundError('inventory class', name);
    return found;
  }

  async save(
    actor: Actor,
    def: CustomClassDefinition,
    mode: 'create' | 'update',
    name?: string,
  ): Promise<InventoryClassInfo> {
    authorize(actor, 'inventory-classes:write');
    if (BUILTIN_CLASS_NAMES.has(def.name) || (name && BUILTIN_CLASS_NAMES.has(name))) {
      throw new ConflictError(
        ErrorCode.INVENTORY_CLASS_BUILTIN,
        `"${def.name}" is a built-in class`,
      );
    }
    if (mode === 'update' && name !== def.name)
      throw new InputError(
        ErrorCode.INVALID_INPUT,
        'the class name cannot be changed; create a new class',
      );
    checkDefinition(def);
    const at = nowIso(this.ctx);
    let version = 0;
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      const existing = await customClassExists(tx, def.name);
      if (mode === 'create' && existing)
        throw new ConflictError(
          ErrorCode.INVENTORY_CLASS_NAME_TAKEN,
          `an inventory class named "${def.name}" already exists`,
        );
      if (mode === 'update' && !existing) throw new NotFoundError('inventory class', def.name);
      await saveCustomClass(tx, {
        name: def.name,
        definition: JSON.stringify(def),
        at,
        by: actor.userName,
        exists: existing,
      });
      version = await bumpPolicyVersion(tx);
      await writeAudit(tx, actor, at, {
        action: `inventory-class.${mode}`,
        targetType: 'inventory-class',
        targetId: def.name,
        details: def,
      });
    });
    await this.ctx.bus.publish('policy-changed', { version });
    return { ...customClassShape(def), builtin: false, definition: def };
  }

  async remove(actor: Actor, name: string): Promise<void> {
    authorize(actor, 'inventory-classes:write');
    if (BUILTIN_CLASS_NAMES.has(name))
      throw new ConflictError(ErrorCode.INVENTORY_CLASS_BUILTIN, `"${name}" is a built-in class`);
    const at = nowIso(this.ctx);
    let version = 0;
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      if (!(await deleteCustomClass(tx, name))) throw new NotFoundError('inventory class', name);
      version = await bumpPolicyVersion(tx);
      await writeAudit(tx, actor, at, {
        action: 'inventory-class.delete',
        targetType: 'inventory-class',
        targetId: name,
      });
    });
    await this.ctx.bus.publish('policy-changed', { version });
  }
}
