import { type Static, Type } from '@sinclair/typebox';

/**
 * User device affinity (issue 11): the users a device is primary to. The administrator sets
 * them (API, CLI, console); a task sequence sets them at deployment time through the variable
 * {@link PRIMARY_USERS_VARIABLE}. Each source keeps its own list: one never erases the other.
 */
export const PrimaryUserSource = Type.Union([
  Type.Literal('administrator'),
  Type.Literal('task-sequence'),
]);
export type PrimaryUserSource = Static<typeof PrimaryUserSource>;

/** At most this many primary users per device and source. */
export const MAX_PRIMARY_USERS = 20;

/** A user name as the directory or the machine spells it (`alice`, `CORP\alice`, `alice@corp`). */
export const PrimaryUserName = Type.String({
  minLength: 1,
  maxLength: 256,
  pattern: '^[^\\s,;][^,;]*$',
});

export const PrimaryUser = Type.Object({
  userName: Type.String(),
  source: PrimaryUserSource,
  setAt: Type.String(),
  /** The administrator, or the task-sequence deployment's id. */
  setBy: Type.String(),
});
export type PrimaryUser = Static<typeof PrimaryUser>;

export const PrimaryUsersBody = Type.Object(
  { users: Type.Array(PrimaryUserName, { maxItems: MAX_PRIMARY_USERS }) },
  { additionalProperties: false },
);
export type PrimaryUsersBody = Static<typeof PrimaryUsersBody>;

/**
 * The task-sequence variable naming the device's primary users (comma- or semicolon-separated),
 * as Configuration Manager's SMSTSUdaUsers: set on a collection, a device or by a set-variable
 * step, it is applied when the sequence succeeds.
 */
export const PRIMARY_USERS_VARIABLE = 'STWPrimaryUsers';

/** The users a variable's value names: trimmed, once each, at most MAX_PRIMARY_USERS. */
export function parsePrimaryUsers(value: string): string[] {
  const names = value
    .split(/[,;]/)
    .map((n) => n.trim())
    .filter((n) => n !== '' && n.length <= 256);
  return [...new Set(names)].slice(0, MAX_PRIMARY_USERS);
}
