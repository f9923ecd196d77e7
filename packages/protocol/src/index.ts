export * from './agent/protocol.js';
export * from './agent/software.js';
export * from './agent-versions/schemas.js';
export { InstallToken, installCommandOf } from './agent-versions/install-operations.js';
export * from './boundaries/schemas.js';
export * from './client-push/schemas.js';
export * from './client-check/schemas.js';
export * from './client-status/schemas.js';
export * from './client-settings/schemas.js';
export * from './collections/query/api-schemas.js';
export * from './collections/query/ast.js';
export {
  DEVICE_CLASS,
  UPDATE_CLASS,
  queryClasses,
  suggestName,
} from './collections/query/catalog.js';
export { checkQuery, type CheckResult } from './collections/query/checker.js';
export * from './collections/query/completions.js';
export { type Token, tokenize, type TokenKind } from './collections/query/lexer.js';
export { normaliseDatetime } from './collections/query/literals.js';
export { parseQuery, type ParseResult, QUERY_KEYWORDS } from './collections/query/parser.js';
export * from './collections/query/validate.js';
export * from './collections/schemas.js';
export * from './common/canonical-json.js';
export * from './common/errors.js';
export * from './common/is-record.js';
export * from './common/safe-text.js';
export { Sha256 } from './common/schemas.js';
export * from './common/settings.js';
export * from './common/version.js';
export {
  ARCHIVE_MEDIA_TYPES,
  CONTENT_UPLOAD_MAX_BYTES,
  GZIP_MEDIA_TYPES,
} from './content/operations.js';
export * from './content/schemas.js';
export * from './deployments/options.js';
export * from './devices/primary-users.js';
export * from './deployments/schemas.js';
export * from './devices/schemas.js';
export * from './devices/bulk.js';
export * from './discovery/bulk.js';
export * from './discovery/os-guess.js';
export * from './discovery/schemas.js';
export * from './updates/schemas.js';
export * from './os-images/schemas.js';
export * from './updates/keyring.js';
export * from './drivers/schemas.js';
export { DRIVER_MEDIA_TYPES, DRIVER_UPLOAD_MAX_BYTES } from './drivers/operations.js';
export * from './updates/deploy-groups.js';
export * from './updates/deployment-schemas.js';
export * from './updates/restart-need.js';
export * from './updates/rule-schemas.js';
export * from './updates/adv-schemas.js';
export * from './updates/adv-releases.js';
export * from './updates/scan-schemas.js';
export * from './updates/dpkg-status.js';
export * from './updates/scan-evaluate.js';
export * from './distribution/schemas.js';
export * from './enrolment/schemas.js';
export * from './export/export-of.js';
export * from './http/api-client.js';
export * from './http/common.js';
export * from './http/operation-table.js';
export * from './http/operation.js';
export * from './http/paging.js';
export * from './http/request.js';
export * from './http/response-check.js';
export * from './http/session.js';
export * from './inventory/schemas.js';
export * from './monitoring/schemas.js';
export * from './programs/schemas.js';
export * from './reports/schemas.js';
export * from './reports/definitions.js';
export * from './reports/sql-parameters.js';
export * from './schedule/eval.js';
export * from './search/operations.js';
export * from './schedule/schemas.js';
export * from './site/schemas.js';
export * from './status/catalog.js';
export { AUDIT_PAGE_SIZE, StatusCatalogEntry } from './status/operations.js';
export * from './status/schemas.js';
export * from './users/schemas.js';
export * from './views/schemas.js';
export * from './pxe/schemas.js';
export * from './pxe/site-schemas.js';
export * from './pxe/operations.js';
export * from './multicast/schemas.js';
export * from './multicast/operations.js';
export * from './updates/custom-schemas.js';
export * from './updates/custom-evaluate.js';
export * from './updates/approvals.js';
export * from './task-sequences/steps.js';
export * from './task-sequences/schemas.js';
export * from './task-sequences/walk.js';
export * from './task-sequences/deployments.js';
export * from './boot-images/schemas.js';
export * from './media/schemas.js';
