import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Client activity (issue 9, ADR 0029): the two inventory signals apart (hardware inventory and
 * software inventory each keep a device active within their own threshold), the site's activity
 * check on quiet devices (when, what it found), and the obsolete mark. The single "active
 * threshold" site setting becomes five thresholds: a site that had changed it keeps its value
 * for each of the five.
 */
export function clientActivityMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      for (const column of [
        'last_hardware_inventory_at',
        'last_software_inventory_at',
        'obsolete_at',
        'activity_checked_at',
        'activity_check_outcome',
        'activity_check_detail',
      ])
        await db.schema.alterTable('device').addColumn(column, 'text').execute();
      // Every inventory report so far carried the hardware classes; the file scan is unknown
      // until the next one.
      await sql`update device set last_hardware_inventory_at = last_inventory_at`.execute(db);
      // The activity job reads quiet and obsolete devices by these.
      await db.schema
        .createIndex('device_obsolete_at')
        .on('device')
        .column('obsolete_at')
        .execute();

      const stored = await sql<{
        value: string;
      }>`select value from site_setting where key = 'site_settings'`.execute(db);
      const text = stored.rows[0]?.value;
      if (text === undefined) return;
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return;
      const { activeThresholdDays, ...rest } = Object.fromEntries(Object.entries(parsed));
      const next: Record<string, unknown> = { ...rest };
      if (typeof activeThresholdDays === 'number')
        for (const key of [
          'inactivePolicyRequestDays',
          'inactiveHeartbeatDays',
          'inactiveHardwareInventoryDays',
          'inactiveSoftwareInventoryDays',
          'inactiveStatusMessageDays',
        ])
          next[key] = activeThresholdDays;
      await sql`update site_setting set value = ${JSON.stringify(next)} where key = 'site_settings'`.execute(
        db,
      );
    },
  };
}
