import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Devices (not revoked) per package set, kept by the database itself (issue 10, ADR 0075): an
 * update's compliance summary counts the devices that did not scan by their set, and grouping
 * every device row (or index entry) per set grew with the fleet (141 ms at 100,000 devices).
 * With the count kept here the summary reads one row per set.
 *
 * Triggers rather than repository code: a device's set or revocation changes in inventory
 * ingest (two paths), revoke (single and bulk), re-enrolment and delete, and a count one of them
 * forgets is silently wrong; a trigger is correct for every writer, tests and scripts included.
 * A row changes only when a device's set or its revocation changes (the WHEN clauses), so
 * inventories that keep their set do not write it. Rows at zero stay (the set's FK cascade
 * removes them with the set).
 */
export function packageSetDeviceCountMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('package_set_device_count')
        .addColumn('set_id', 'text', (c) =>
          c.primaryKey().references('package_set.id').onDelete('cascade'),
        )
        .addColumn('devices', 'integer', (c) => c.notNull())
        .execute();
      await sql`insert into package_set_device_count (set_id, devices)
        select package_set_id, count(*) from device
        where package_set_id is not null and revoked_at is null
        group by package_set_id`.execute(db);
      for (const statement of dialect === 'postgres' ? POSTGRES : SQLITE)
        await sql.raw(statement).execute(db);
    },
  };
}

/** Whether a device row counts: it has a set and is not revoked. */
const counted = (row: 'old' | 'new') =>
  `${row}.package_set_id is not null and ${row}.revoked_at is null`;
const changed = `old.package_set_id is not new.package_set_id
  or (old.revoked_at is null) <> (new.revoked_at is null)`;

// SQLite: an INSERT ... SELECT followed by ON CONFLICT needs its WHERE (parsing ambiguity).
const sqliteAdd = (row: 'old' | 'new') => `insert into package_set_device_count (set_id, devices)
    select ${row}.package_set_id, 1 where ${counted(row)}
    on conflict (set_id) do update set devices = devices + 1;`;
const sqliteRemove = (row: 'old' | 'new') => `update package_set_device_count
    set devices = devices - 1 where set_id = ${row}.package_set_id and ${row}.revoked_at is null;`;

const SQLITE = [
  `create trigger package_set_device_count_insert after insert on device
  begin ${sqliteAdd('new')} end`,
  `create trigger package_set_device_count_update
  after update of package_set_id, revoked_at on device when ${changed}
  begin ${sqliteRemove('old')} ${sqliteAdd('new')} end`,
  `create trigger package_set_device_count_delete after delete on device
  begin ${sqliteRemove('old')} end`,
];

// PostgreSQL: concurrent writers. A device moving between two sets touches both rows; taking
// them in set-id order means two devices moving in opposite directions cannot deadlock.
const POSTGRES = [
  `create function package_set_device_count_sync() returns trigger language plpgsql as $$
  declare
    gone text := null;
    came text := null;
  begin
    if tg_op <> 'INSERT' and ${counted('old')} then gone := old.package_set_id; end if;
    if tg_op <> 'DELETE' and ${counted('new')} then came := new.package_set_id; end if;
    if gone is not null and (came is null or gone < came) then
      update package_set_device_count set devices = devices - 1 where set_id = gone;
      gone := null;
    end if;
    if came is not null then
      insert into package_set_device_count as c (set_id, devices) values (came, 1)
      on conflict (set_id) do update set devices = c.devices + 1;
    end if;
    if gone is not null then
      update package_set_device_count set devices = devices - 1 where set_id = gone;
    end if;
    return null;
  end $$`,
  `create trigger package_set_device_count_insert_delete after insert or delete on device
  for each row execute function package_set_device_count_sync()`,
  `create trigger package_set_device_count_update
  after update of package_set_id, revoked_at on device for each row
  when (${changed.replace('is not', 'is distinct from')})
  execute function package_set_device_count_sync()`,
];
