import { NotFoundError, ErrorCode } from '@steward/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../db/tables/index.js';
import { findPackage, type PackageRow } from './repository.js';

/**
 * A package by id or name (an id wins over another package's equal name); PACKAGE_NOT_FOUND
 * (404) when there is none. The one way every domain finds a package it was named.
 */
export async function mustFindPackage(db: Kysely<Database>, idOrName: string): Promise<PackageRow> {
  const row = await findPackage(db, idOrName);
  if (!row) throw new NotFoundError('package', idOrName, ErrorCode.PACKAGE_NOT_FOUND);
  return row;
}
