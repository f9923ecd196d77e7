import { Type, type TSchema } from '@sinclair/typebox';

/** Schema helpers shared by the software-distribution schemas. */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const Id = Type.String({ minLength: 1, maxLength: 200 });
export const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f]+$' });
export const Description = Type.String({ maxLength: 2000 });
/** Lower-case hex SHA-256 of a file's bytes: the content library's address of that file. */
export const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$' });
export const IsoTime = Type.String({ format: 'date-time' });

/**
 * A wall-clock time without zone, `YYYY-MM-DDTHH:MM` (seconds optional). Whether it is read in UTC
 * or in the client's local zone is said by the `timeBase` beside it (DESIGN §4: schedules carry
 * "UTC" or "client local time", evaluated by the agent).
 */
export const WallTime = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2})?$',
});
export const TimeBase = Type.Union([Type.Literal('utc'), Type.Literal('local')]);
