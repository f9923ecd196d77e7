import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import type { Logger } from '../../logger.js';
import { parseJsonText, parseWith } from '../../parse.js';
import { readFileIfExists, writeFileAtomic } from '../../state/atomic-file.js';
import { PendingRestart } from './restart-plan.js';

const Document = Type.Object({ version: Type.Literal(1), restarts: Type.Array(PendingRestart) });

/**
 * The pending update restarts, on disk (`<state>/update-restarts.json`): a restart outlives the
 * agent process, and after a real restart the new process verifies it from this record.
 */
export class RestartStore {
  private constructor(
    private readonly path: string,
    private items: PendingRestart[],
  ) {}

  static async open(stateDir: string, log: Logger): Promise<RestartStore> {
    const path = join(stateDir, 'update-restarts.json');
    const text = await readFileIfExists(path);
    if (text === undefined) return new RestartStore(path, []);
    try {
      const doc = parseWith(Document, parseJsonText(text, path, 'BAD_STATE'), path, 'BAD_STATE');
      return new RestartStore(path, doc.restarts);
    } catch (err) {
      // A torn or foreign file must not stop the agent: the restarts it held are reported lost.
      log.error(`pending update restarts unreadable, dropped: ${String(err)}`);
      return new RestartStore(path, []);
    }
  }

  get all(): readonly PendingRestart[] {
    return this.items;
  }

  find(deploymentId: string): PendingRestart | undefined {
    return this.items.find((r) => r.deploymentId === deploymentId);
  }

  /** Replaces the record of that deployment (or adds it). */
  async put(r: PendingRestart): Promise<void> {
    await this.save([...this.items.filter((x) => x.deploymentId !== r.deploymentId), r]);
  }

  async remove(deploymentId: string): Promise<void> {
    await this.save(this.items.filter((x) => x.deploymentId !== deploymentId));
  }

  private async save(items: PendingRestart[]): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify({ version: 1, restarts: items }));
    this.items = items;
  }
}
