import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StatusMessages, type OutboxItem } from '@steward/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CLIENT_SETTINGS } from '../channel/policy.js';
import { Outbox } from '../outbox/outbox.js';
import { statePaths } from '../state/state-dir.js';
import { collectInventory } from './collect.js';
import {
  agentEntryPoint,
  COLLECT_BUNDLE,
  collectCommand,
  collectInChildProcess,
} from './collect-process.js';
import { runInventoryCycle } from './inventory-runner.js';

/** The real agent entry point (bin -> dist/cli.js: build first), as the service runs it. */
const BIN = fileURLToPath(new URL('../../bin/steward-agent.js', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../../test/fixtures/sysroot', import.meta.url));

describe('inventory collection in a child process', () => {
  it('returns what the collectors found, with the child process costs', async () => {
    const { inventory, stats } = await collectInChildProcess(
      { only: ['os', 'localUser', 'listeningPort'], startedAt: new Date() },
      BIN,
    );
    expect(Object.keys(inventory.classes).sort()).toEqual(['listeningPort', 'localUser', 'os']);
    expect(inventory.classes['localUser']).toContainEqual(
      expect.objectContaining({ name: 'root', uid: 0 }),
    );
    expect(inventory.failures).toEqual([]);
    // Same answer as collecting here, for the classes that do not change between two reads.
    const here = await collectInventory({ only: ['os', 'localUser'] });
    expect(inventory.classes['os']).toEqual(here.classes['os']);
    expect(inventory.classes['localUser']).toEqual(here.classes['localUser']);
    expect(stats.peakRssMb).toBeGreaterThan(20);
    expect(stats.wallMs).toBeGreaterThanOrEqual(stats.collectMs);
  });

  it('starts the collectors-only bundle beside a bundled agent instead of the agent itself', async () => {
    // A packaged layout: steward-agent.mjs that would fail, and beside it steward-collect.mjs,
    // here the built collect-main.js (what packaging/bundle-collect.mjs bundles).
    const dir = mkdtempSync(join(tmpdir(), 'steward-collect-entry-'));
    try {
      const agent = join(dir, 'steward-agent.mjs');
      writeFileSync(agent, 'process.exit(7);\n');
      await expect(collectInChildProcess({ only: ['os'] }, agent)).rejects.toThrow(
        'collection process exited 7',
      );
      expect(collectCommand(agent)).toEqual([agent, '__collect-inventory']);
      const collectMain = new URL('../../dist/collect-main.js', import.meta.url);
      writeFileSync(join(dir, COLLECT_BUNDLE), `import ${JSON.stringify(collectMain.href)};\n`);
      expect(collectCommand(agent)).toEqual([join(dir, COLLECT_BUNDLE)]);
      const { inventory } = await collectInChildProcess({ only: ['os'] }, agent);
      expect(inventory.classes['os']).toEqual(
        (await collectInventory({ only: ['os'] })).classes['os'],
      );
      // A single executable or the workspace's bin has no .mjs name: it collects with itself.
      expect(collectCommand(join(dir, 'steward-agent'))).toEqual([
        join(dir, 'steward-agent'),
        '__collect-inventory',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects when the entry point is not the agent (the service then collects in process)', async () => {
    // Under the test runner, argv[1] is vitest: no agent entry point to start.
    expect(agentEntryPoint()).toBeUndefined();
    await expect(collectInChildProcess({ only: ['os'] })).rejects.toThrow(
      'not started as steward-agent',
    );
    await expect(
      collectInChildProcess({ only: ['os'] }, join(FIXTURE, 'etc/passwd')),
    ).rejects.toThrow(/collection process exited/);
  });
});

describe('runInventoryCycle and classes read in part', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function statusIds(outbox: Outbox): Promise<number[]> {
    const items: OutboxItem[] = await outbox.nextBatch(1000, 64 * 1024 * 1024);
    return items.flatMap((i) => (i.type === 'status:message' ? [i.body.messageId] : []));
  }

  it('raises INVENTORY_CLASS_PARTIAL with a full report only', async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-partial-'));
    const stateDir = dir;
    const outbox = await Outbox.open({ dir: statePaths(stateDir).outbox });
    const deps = {
      stateDir,
      outbox,
      settings: DEFAULT_CLIENT_SETTINGS,
      customClasses: [],
      startedAt: new Date(),
      // The real collectors, on the fake machine: its /proc has sockets of unknown processes.
      collect: (o: Parameters<typeof collectInventory>[0]) =>
        collectInventory({ ...o, root: FIXTURE, only: ['listeningPort', 'localUser'] }),
    };
    const first = await runInventoryCycle(deps);
    expect(first.kind).toBe('full');
    const partialId = StatusMessages.INVENTORY_CLASS_PARTIAL.id;
    const afterFull = await statusIds(outbox);
    expect(afterFull.filter((id) => id === partialId)).toHaveLength(1);
    const second = await runInventoryCycle(deps);
    expect(second.kind).toBe('delta');
    const afterDelta = await statusIds(outbox);
    expect(afterDelta.filter((id) => id === partialId)).toHaveLength(1);
    expect(afterDelta.length).toBeGreaterThan(afterFull.length);
  });
});
