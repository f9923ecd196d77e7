import { NotFoundError, ErrorCode } from '@steward/protocol';
import { findPackage, type PackageRow } from './repository.js';
import type { Queryable } from '../db/database.js';

/**
 * A package by id or name (an id wins over another package's equal name); PACKAGE_NOT_FOUND
 * (404) when there is none. The one way every domain finds a package it was named.
 */
export async function mustFindPackage(db: Queryable, idOrName: string): Promise<PackageRow> {
  const row = await findPackage(db, idOrName);
  if (!row) throw new NotFoundError('package', idOrName, ErrorCode.PACKAGE_NOT_FOUND);
  return row;
}
