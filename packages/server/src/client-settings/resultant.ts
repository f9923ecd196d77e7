import {
  ClientSettingsOptions,
  settingEntries,
  type ClientSettingSource,
  type ClientSettings,
  type ClientSettingsSubset,
  type ResultantClientSetting,
} from '@steward/protocol';

/** One client settings object reaching a device through one of its collections. */
export interface SettingsSource {
  objectId: string;
  objectName: string;
  priority: number;
  collectionId: string;
  collectionName: string;
  settings: ClientSettingsSubset;
}

/**
 * A device's resultant client settings (ADR 0025): each declared value independently, from the
 * object with the lowest priority number that sets it, else the site default. `sources` may name
 * one object several times (several of the device's collections); the first is the one shown.
 */
export function resolveClientSettings(
  site: ClientSettings,
  sources: readonly SettingsSource[],
): { settings: ClientSettings; values: ResultantClientSetting[] } {
  const ordered = [...sources].sort(
    (a, b) => a.priority - b.priority || a.collectionName.localeCompare(b.collectionName),
  );
  const settings: ClientSettings = { ...site };
  const values: ResultantClientSetting[] = [];
  for (const { key, field } of settingEntries(ClientSettingsOptions)) {
    const winner = ordered.find((s) => s.settings[key] !== undefined);
    const chosen = winner?.settings[key];
    // The value was checked against this key's own declaration when stored (subsetOf).
    if (chosen !== undefined) Object.assign(settings, { [key]: chosen });
    // A site policy signed before a setting existed lacks it: the agent runs the default.
    const value = settings[key] ?? field.default;
    const source: ClientSettingSource = winner
      ? {
          kind: 'object',
          objectId: winner.objectId,
          objectName: winner.objectName,
          priority: winner.priority,
          collectionId: winner.collectionId,
          collectionName: winner.collectionName,
        }
      : { kind: 'site' };
    values.push({ key, value, source });
  }
  return { settings, values };
}
