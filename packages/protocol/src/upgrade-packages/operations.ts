import { ErrorCode } from '../common/errors.js';
import { IdParams, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import { Page } from '../http/paging.js';
import {
  ListUpgradePackagesQuery,
  UpgradePackage,
  UpgradePackageBody,
  UpgradePackageSummary,
} from './schemas.js';

const tags = ['upgrade-packages'];
const invalid = [
  ErrorCode.UPGRADE_PACKAGE_NAME_TAKEN,
  ErrorCode.UPGRADE_PACKAGE_INVALID_KEYRING,
  ErrorCode.UPGRADE_PACKAGE_INVALID,
];

/** Upgrade packages (issue 11, ADR 0102): in-place release upgrades run by upgrade-os steps. */
export const upgradePackageOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/upgrade-packages',
    query: ListUpgradePackagesQuery,
    responses: { 200: Page(UpgradePackageSummary) },
    permission: 'read',
    errors: [],
    summary: 'Upgrade packages, filtered by name',
    tags,
  },
  create: {
    method: 'POST',
    path: '/upgrade-packages',
    body: UpgradePackageBody,
    responses: { 201: UpgradePackage },
    permission: 'software:write',
    errors: invalid,
    summary:
      'Creates an upgrade package: the release it starts from, the target, its sources and keyring',
    tags,
  },
  get: {
    method: 'GET',
    path: '/upgrade-packages/:id',
    params: IdParams,
    responses: { 200: UpgradePackage },
    permission: 'read',
    errors: [ErrorCode.UPGRADE_PACKAGE_NOT_FOUND],
    summary: 'One upgrade package (by id or name), with the task sequences using it',
    tags,
  },
  update: {
    method: 'PUT',
    path: '/upgrade-packages/:id',
    params: IdParams,
    body: UpgradePackageBody,
    responses: { 200: UpgradePackage },
    permission: 'software:write',
    errors: [ErrorCode.UPGRADE_PACKAGE_NOT_FOUND, ...invalid],
    summary:
      'Replaces an upgrade package (deployed sequences carry the new one at their next policy)',
    tags,
  },
  delete: {
    method: 'DELETE',
    path: '/upgrade-packages/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'software:write',
    errors: [ErrorCode.UPGRADE_PACKAGE_NOT_FOUND, ErrorCode.UPGRADE_PACKAGE_IN_USE],
    summary: 'Deletes an upgrade package no task sequence uses',
    tags,
  },
});
