import { CustomClassDefinition, type InventoryClassInfo } from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { CliError, usageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { readJsonDocument } from '../json-file.js';

/**
 * Reads and checks a custom class definition file against the protocol schema (defaults
 * applied as the site applies them), so mistakes are reported with their JSON path before
 * anything is sent. `-` reads stdin.
 */
export function readClassDefinition(io: CliIo, file: string): Promise<CustomClassDefinition> {
  return readJsonDocument(io, file, CustomClassDefinition, 'a valid inventory class definition');
}

export function registerInventoryClassCommands(program: Command, ctx: Ctx): void {
  const cls = program
    .command('inventory-class')
    .description('inventory classes: built-in and custom (what agents collect)');
  addClsList(cls, ctx);
  addClsShow(cls, ctx);
  addClsCreate(cls, ctx);
  addClsUpdate(cls, ctx);
  addClsDelete(cls, ctx);
}

function addClsList(cls: Command, ctx: Ctx): void {
  action(withJson(cls.command('list').description('list inventory classes')), async ({ opts }) => {
    const list = await (await ctx.client()).listInventoryClasses();
    if (opts.flag('json')) {
      ctx.out.json(list);
      return;
    }
    ctx.out.table(
      [
        { header: 'NAME' },
        { header: 'KIND' },
        { header: 'INSTANCES' },
        { header: 'PROPERTIES', align: 'right' },
        { header: 'DESCRIPTION', flex: true },
      ],
      list.map((c) => [
        c.name,
        c.builtin ? 'built-in' : 'custom',
        c.multiInstance ? 'many' : 'one',
        String(Object.keys(c.properties).length),
        c.description,
      ]),
      'No inventory classes.',
    );
  });
}

function addClsShow(cls: Command, ctx: Ctx): void {
  action(
    withJson(
      cls.command('show').description('an inventory class and its properties').argument('<name>'),
    ),
    async ({ opts, arg }) => {
      const list = await (await ctx.client()).listInventoryClasses();
      const found =
        list.find((c) => c.name === arg(0)) ??
        list.find((c) => c.name.toLowerCase() === arg(0).toLowerCase());
      if (found === undefined)
        throw new CliError('NOT_FOUND', `no inventory class named ${arg(0)}`);
      if (opts.flag('json')) {
        ctx.out.json(found);
        return;
      }
      printClass(ctx, found);
    },
  );
}

function addClsCreate(cls: Command, ctx: Ctx): void {
  const create = withJson(
    cls
      .command('create')
      .description('add a custom inventory class from a JSON definition')
      .requiredOption('--file <path>', 'definition file ("-" for stdin)'),
  );
  action(create, async ({ opts }) => {
    const def = await readClassDefinition(ctx.io, opts.requiredString('file'));
    const created = await (await ctx.client()).createInventoryClass(def);
    if (opts.flag('json')) {
      ctx.out.json(created);
      return;
    }
    ctx.out.line(
      `Inventory class ${created.name} created; agents collect it after their next policy fetch.`,
    );
  });
}

function addClsUpdate(cls: Command, ctx: Ctx): void {
  const update = withJson(
    cls
      .command('update')
      .description('replace the definition of a custom inventory class')
      .argument('<name>')
      .requiredOption('--file <path>', 'definition file ("-" for stdin)'),
  );
  action(update, async ({ opts, arg }) => {
    const def = await readClassDefinition(ctx.io, opts.requiredString('file'));
    if (def.name !== arg(0))
      throw usageError(
        `the file defines class "${def.name}", not "${arg(0)}" (classes cannot be renamed)`,
      );
    const updated = await (await ctx.client()).updateInventoryClass(arg(0), def);
    if (opts.flag('json')) {
      ctx.out.json(updated);
      return;
    }
    ctx.out.line(`Inventory class ${updated.name} updated.`);
  });
}

function addClsDelete(cls: Command, ctx: Ctx): void {
  action(
    cls.command('delete').description('remove a custom inventory class').argument('<name>'),
    async ({ arg }) => {
      await (await ctx.client()).deleteInventoryClass(arg(0));
      ctx.out.line(`Inventory class ${arg(0)} deleted.`);
    },
  );
}

function printClass(ctx: Ctx, c: InventoryClassInfo): void {
  const { out } = ctx;
  out.heading(c.name);
  const source = c.definition?.source;
  out.fields([
    ['Description', c.description || '-'],
    ['Kind', c.builtin ? 'built-in' : 'custom'],
    ['Instances', c.multiInstance ? 'many per device (query with any(...))' : 'one per device'],
    ...(source !== undefined ? [['Source', describeSource(source)] as const] : []),
  ]);
  out.line();
  const from = new Map((c.definition?.properties ?? []).map((p) => [p.name, p.from]));
  out.table(
    [
      { header: 'PROPERTY' },
      { header: 'TYPE' },
      ...(from.size > 0 ? [{ header: 'FROM', flex: true }] : []),
    ],
    Object.entries(c.properties).map(([name, type]) => [
      name,
      type,
      ...(from.size > 0 ? [from.get(name) ?? '-'] : []),
    ]),
  );
}

function describeSource(source: CustomClassDefinition['source']): string {
  switch (source.kind) {
    case 'file':
      return `file ${source.path} (${source.format})`;
    case 'command':
      return `command \`${source.command}\` (${source.format})`;
    case 'kernel':
      return 'kernel values (/proc, /sys)';
  }
}
