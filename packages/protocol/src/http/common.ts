import { Type } from '@sinclair/typebox';

/**
 * A path parameter naming one object by id or by name. One length for every route: the longest
 * name an object can have is a device's host name (253 characters), so 300 leaves room and still
 * keeps a megabyte of path out of the database.
 */
export const Key = Type.String({ minLength: 1, maxLength: 300 });

/** `:id` of every route that names one object. */
export const IdParams = Type.Object({ id: Key }, { additionalProperties: false });

/** The body of a 204 answer: nothing. */
export const NoContent = Type.Null({ description: 'No content' });

/** Admin API base path. Everything the console does goes through here. */
export const API_PREFIX = '/api/v1';
