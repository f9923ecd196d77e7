import { Type } from '@sinclair/typebox';
import {
  settingsDefaults,
  settingsValueProperties,
  UpdateDeploymentOptions,
} from '@steward/protocol';
import { parseJsonColumn } from '../../db/corrupt-row.js';

const StoredOptions = Type.Object(settingsValueProperties(UpdateDeploymentOptions));

/**
 * An update deployment's own options as stored (JSON): declared defaults fill options added
 * since the row was written; a value that does not fit its declaration is a corrupt row.
 */
export function optionsOf(row: { id: string; options: string }): UpdateDeploymentOptions {
  const parsed = parseJsonColumn(Type.Object({}), row.options, {
    table: 'update_deployment',
    id: row.id,
    column: 'options',
  });
  return parseJsonColumn(
    StoredOptions,
    { ...settingsDefaults(UpdateDeploymentOptions), ...parsed },
    { table: 'update_deployment', id: row.id, column: 'options' },
  );
}
