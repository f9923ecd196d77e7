import { Type } from '@sinclair/typebox';
import type { AgentVersionSettings, ClientRollout } from '@steward/protocol';
import { storedSettings } from '../db/corrupt-row.js';
import type { Queryable } from '../db/database.js';
import { readSetting, writeSetting } from '../site/repository.js';

/**
 * When each rollout's expected version last changed: the start of its devices' upgrade window
 * (docs/client-deployment.md, "expected-since"). Kept under its own key, apart from the client
 * version settings, so the settings' shape (and what agents read) does not change with it.
 */
const KEY = 'agent_rollout_since';

const At = Type.Union([Type.String(), Type.Null()]);
const RolloutSince = Type.Object({ production: At, 'pre-production': At });
type RolloutSince = Record<ClientRollout, string | null>;

const NEVER: RolloutSince = { production: null, 'pre-production': null };

export async function readRolloutSince(db: Queryable): Promise<RolloutSince> {
  const text = await readSetting(db, KEY);
  return text === undefined ? NEVER : storedSettings(RolloutSince, NEVER, text, KEY);
}

/**
 * Records the rollouts whose expected version changed between two settings (in the caller's
 * transaction). Production: its version. Pre-production: its version, collection or exclusion
 * collection (each changes which devices expect what).
 */
export async function recordRolloutChange(
  tx: Queryable,
  change: { before: AgentVersionSettings; after: AgentVersionSettings; at: string },
): Promise<void> {
  const { before: b, after: a } = change;
  const production = b.productionVersion !== a.productionVersion;
  const preproduction =
    b.preproductionVersion !== a.preproductionVersion ||
    b.preproductionCollectionId !== a.preproductionCollectionId ||
    b.exclusionCollectionId !== a.exclusionCollectionId;
  if (!production && !preproduction) return;
  const current = await readRolloutSince(tx);
  const next: RolloutSince = {
    production: production ? change.at : current.production,
    'pre-production': preproduction ? change.at : current['pre-production'],
  };
  await writeSetting(tx, { key: KEY, value: JSON.stringify(next) });
}
