import { type TSchema, Type } from '@sinclair/typebox';

/** Schema helpers shared by the software-distribution schemas. */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const Id = Type.String({ minLength: 1, maxLength: 200 });
export const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f]+$' });
export const Description = Type.String({ maxLength: 2000 });
/** Lower-case hex SHA-256 of a file's bytes: the content library's address of that file. */
export const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$' });
export const IsoTime = Type.String({ format: 'date-time' });
