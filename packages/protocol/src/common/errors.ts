import { Type, type Static } from '@sinclair/typebox';

/**
 * Every error that crosses the HTTP boundary has this shape. Clients (console, CLI, scripts)
 * switch on `code`, never on `message`.
 */
export const ErrorBody = Type.Object({
  code: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Unknown()),
});
export type ErrorBody = Static<typeof ErrorBody>;

/**
 * Stable error codes: the one list (ADR 0012). Append only: the console, the CLI and scripts
 * switch on them, and the strings are a public contract.
 */
export const ErrorCode = {
  // generic
  INVALID_INPUT: 'INVALID_INPUT',
  INVALID_JSON: 'INVALID_JSON',
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  NOT_FOUND: 'NOT_FOUND',
  ROUTE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  INTERNAL: 'INTERNAL',
  UNAVAILABLE: 'UNAVAILABLE',
  // authentication and authorisation
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  LOGIN_RATE_LIMITED: 'LOGIN_RATE_LIMITED',
  SESSION_EXPIRED: 'SESSION_EXPIRED',
  FORBIDDEN: 'FORBIDDEN',
  USER_NAME_TAKEN: 'USER_NAME_TAKEN',
  LAST_ADMIN: 'LAST_ADMIN',
  // enrolment and agents
  TOKEN_INVALID: 'TOKEN_INVALID',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  TOKEN_EXHAUSTED: 'TOKEN_EXHAUSTED',
  TOKEN_REVOKED: 'TOKEN_REVOKED',
  DEVICE_UNKNOWN: 'DEVICE_UNKNOWN',
  DEVICE_REVOKED: 'DEVICE_REVOKED',
  DEVICE_AUTH_FAILED: 'DEVICE_AUTH_FAILED',
  DEVICE_NOT_CONNECTED: 'DEVICE_NOT_CONNECTED',
  REPORT_OUT_OF_ORDER: 'REPORT_OUT_OF_ORDER',
  // collections and queries
  QUERY_SYNTAX: 'QUERY_SYNTAX',
  QUERY_TYPE: 'QUERY_TYPE',
  COLLECTION_NAME_TAKEN: 'COLLECTION_NAME_TAKEN',
  COLLECTION_BUILTIN: 'COLLECTION_BUILTIN',
  COLLECTION_CYCLE: 'COLLECTION_CYCLE',
  COLLECTION_IN_USE: 'COLLECTION_IN_USE',
  // inventory classes
  INVENTORY_CLASS_NAME_TAKEN: 'INVENTORY_CLASS_NAME_TAKEN',
  INVENTORY_CLASS_BUILTIN: 'INVENTORY_CLASS_BUILTIN',
  INVENTORY_CLASS_INVALID: 'INVENTORY_CLASS_INVALID',
  // input safety (issue 7): text that one of the two database dialects cannot store
  INVALID_TEXT: 'INVALID_TEXT',
  // software distribution: content library, distribution points, boundaries, programs,
  // deployments, maintenance windows, phased deployments
  CONTENT_HASH_MISMATCH: 'CONTENT_HASH_MISMATCH',
  CONTENT_MISSING: 'CONTENT_MISSING',
  CONTENT_SIZE_MISMATCH: 'CONTENT_SIZE_MISMATCH',
  CONTENT_NOT_FOUND: 'CONTENT_NOT_FOUND',
  CONTENT_ACCESS_DENIED: 'CONTENT_ACCESS_DENIED',
  CONTENT_RANGE_NOT_SATISFIABLE: 'CONTENT_RANGE_NOT_SATISFIABLE',
  INVALID_ARCHIVE: 'INVALID_ARCHIVE',
  INVALID_FOLDER: 'INVALID_FOLDER',
  PACKAGE_NOT_FOUND: 'PACKAGE_NOT_FOUND',
  PACKAGE_NAME_TAKEN: 'PACKAGE_NAME_TAKEN',
  PACKAGE_IN_USE: 'PACKAGE_IN_USE',
  PACKAGE_VERSION_NOT_FOUND: 'PACKAGE_VERSION_NOT_FOUND',
  DUPLICATE_PATH: 'DUPLICATE_PATH',
  DP_NOT_FOUND: 'DP_NOT_FOUND',
  DP_NAME_TAKEN: 'DP_NAME_TAKEN',
  DP_IS_SITE_SERVER: 'DP_IS_SITE_SERVER',
  DP_GROUP_NOT_FOUND: 'DP_GROUP_NOT_FOUND',
  DP_GROUP_NAME_TAKEN: 'DP_GROUP_NAME_TAKEN',
  /** The package has no version yet: there is nothing to distribute. */
  PACKAGE_HAS_NO_CONTENT: 'PACKAGE_HAS_NO_CONTENT',
  INVALID_BOUNDARY: 'INVALID_BOUNDARY',
  INVALID_ADDRESS: 'INVALID_ADDRESS',
  BOUNDARY_NOT_FOUND: 'BOUNDARY_NOT_FOUND',
  BOUNDARY_NAME_TAKEN: 'BOUNDARY_NAME_TAKEN',
  BOUNDARY_GROUP_NOT_FOUND: 'BOUNDARY_GROUP_NOT_FOUND',
  BOUNDARY_GROUP_NAME_TAKEN: 'BOUNDARY_GROUP_NAME_TAKEN',
  /** A boundary group named as its own neighbour, or the same neighbour twice. */
  INVALID_NEIGHBOUR: 'INVALID_NEIGHBOUR',
  /** DP registration: unknown, used or expired one-time secret. */
  DP_TOKEN_INVALID: 'DP_TOKEN_INVALID',
  DP_TOKEN_EXPIRED: 'DP_TOKEN_EXPIRED',
  /** A DP request without a valid `x-steward-dp` header. */
  DP_AUTH_FAILED: 'DP_AUTH_FAILED',
  PROGRAM_NOT_FOUND: 'PROGRAM_NOT_FOUND',
  PROGRAM_NAME_TAKEN: 'PROGRAM_NAME_TAKEN',
  PROGRAM_DEPENDENCY_CYCLE: 'PROGRAM_DEPENDENCY_CYCLE',
  PROGRAM_IN_USE: 'PROGRAM_IN_USE',
  INVALID_WORKING_DIRECTORY: 'INVALID_WORKING_DIRECTORY',
  COLLECTION_NOT_FOUND: 'COLLECTION_NOT_FOUND',
  DEVICE_NOT_FOUND: 'DEVICE_NOT_FOUND',
  DEPLOYMENT_NOT_FOUND: 'DEPLOYMENT_NOT_FOUND',
  DEPLOYMENT_PHASED: 'DEPLOYMENT_PHASED',
  MAINTENANCE_WINDOW_NOT_FOUND: 'MAINTENANCE_WINDOW_NOT_FOUND',
  SCHEDULE_IN_PAST: 'SCHEDULE_IN_PAST',
  INVALID_SCHEDULE: 'INVALID_SCHEDULE',
  INVALID_PHASES: 'INVALID_PHASES',
  PHASED_DEPLOYMENT_NOT_FOUND: 'PHASED_DEPLOYMENT_NOT_FOUND',
  PHASED_DEPLOYMENT_NAME_TAKEN: 'PHASED_DEPLOYMENT_NAME_TAKEN',
  /** Halt asked of a rollout that is already halted or completed. */
  PHASED_DEPLOYMENT_NOT_RUNNING: 'PHASED_DEPLOYMENT_NOT_RUNNING',
  /** Resume asked of a rollout that is running or completed. */
  PHASED_DEPLOYMENT_NOT_HALTED: 'PHASED_DEPLOYMENT_NOT_HALTED',
  // ---- content sources and content tokens (issue 7, findings 1 and 6) ----
  /** A server-side folder import outside the configured content import roots, or of the data directory. */
  CONTENT_IMPORT_NOT_ALLOWED: 'CONTENT_IMPORT_NOT_ALLOWED',
  /** Content locations asked for a package version no deployment targeting the device needs. */
  CONTENT_NOT_ENTITLED: 'CONTENT_NOT_ENTITLED',
  // agent reports, refused one item at a time (issue 7: agent protocol)
  /** A report item does not match its schema or a range (seq beyond 2^53, unknown type). */
  REPORT_ITEM_INVALID: 'REPORT_ITEM_INVALID',
  /** A deployment state for a deployment that does not target the reporting device. */
  REPORT_ITEM_NOT_TARGETED: 'REPORT_ITEM_NOT_TARGETED',
  // admin API sessions (issue 7: cookie sessions of the console)
  CSRF_TOKEN_INVALID: 'CSRF_TOKEN_INVALID',
  // agent endpoint defence (issue 7): an address whose refusals spent its budget
  AGENT_RATE_LIMITED: 'AGENT_RATE_LIMITED',
  // agent versions and packages (issue 9)
  AGENT_VERSION_NOT_FOUND: 'AGENT_VERSION_NOT_FOUND',
  AGENT_VERSION_EXISTS: 'AGENT_VERSION_EXISTS',
  /** Promote needs a pre-production version different from production. */
  AGENT_VERSION_NO_PREPRODUCTION: 'AGENT_VERSION_NO_PREPRODUCTION',
  /** A manifest naming a file twice, without a tarball, or otherwise unusable. */
  AGENT_PACKAGE_MANIFEST_INVALID: 'AGENT_PACKAGE_MANIFEST_INVALID',
  /** The site has no production agent version (or no package of it) to install from. */
  AGENT_PACKAGE_NOT_AVAILABLE: 'AGENT_PACKAGE_NOT_AVAILABLE',
  // ---- client push over SSH (issue 9) ----
  PUSH_ACCOUNT_NOT_FOUND: 'PUSH_ACCOUNT_NOT_FOUND',
  PUSH_ACCOUNT_NAME_TAKEN: 'PUSH_ACCOUNT_NAME_TAKEN',
  PUSH_JOB_NOT_FOUND: 'PUSH_JOB_NOT_FOUND',
  PUSH_TARGET_NOT_FOUND: 'PUSH_TARGET_NOT_FOUND',
  PUSH_HOST_KEY_NOT_FOUND: 'PUSH_HOST_KEY_NOT_FOUND',
  /** Retry asked of a target that is not failed or waiting for a retry. */
  PUSH_TARGET_NOT_RETRYABLE: 'PUSH_TARGET_NOT_RETRYABLE',
  /** A push with no target: an empty host list or a collection without devices. */
  PUSH_NO_TARGETS: 'PUSH_NO_TARGETS',
  /** The host offered a key other than the one recorded at first contact. */
  PUSH_HOST_KEY_CHANGED: 'PUSH_HOST_KEY_CHANGED',
  /** Nothing answered, the connection was refused or timed out. */
  PUSH_UNREACHABLE: 'PUSH_UNREACHABLE',
  /** The host refused the account's key or password. */
  PUSH_AUTH_FAILED: 'PUSH_AUTH_FAILED',
  PUSH_UNSUPPORTED_OS: 'PUSH_UNSUPPORTED_OS',
  PUSH_UNSUPPORTED_ARCH: 'PUSH_UNSUPPORTED_ARCH',
  PUSH_DISK_LOW: 'PUSH_DISK_LOW',
  PUSH_NO_SYSTEMD: 'PUSH_NO_SYSTEMD',
  /** The account is not root and `sudo -n true` fails. */
  PUSH_NO_SUDO: 'PUSH_NO_SUDO',
  /** The agent package is not available on the site server. */
  PUSH_PACKAGE_MISSING: 'PUSH_PACKAGE_MISSING',
  /** The site has no production agent version (agent-version settings): nothing to push. */
  PUSH_NO_PRODUCTION_VERSION: 'PUSH_NO_PRODUCTION_VERSION',
  /** Addresses given to push to that no sweep has found (discovered machines). */
  PUSH_DISCOVERED_NOT_FOUND: 'PUSH_DISCOVERED_NOT_FOUND',
  PUSH_COPY_FAILED: 'PUSH_COPY_FAILED',
  PUSH_INSTALL_FAILED: 'PUSH_INSTALL_FAILED',
  /** Installed, but the agent did not enrol and report inventory in time. */
  PUSH_ENROLMENT_TIMEOUT: 'PUSH_ENROLMENT_TIMEOUT',
  /** The SSH session broke or a command failed unexpectedly. */
  PUSH_SESSION_FAILED: 'PUSH_SESSION_FAILED',
  // ---- network discovery (ADR 0022) ----
  /** A sweep target that is not an IPv4 subnet (`10.1.0.0/24`) or range (`10.1.0.1-10.1.0.9`). */
  DISCOVERY_INVALID_TARGET: 'DISCOVERY_INVALID_TARGET',
  /** A sweep covering more addresses than the `maxAddressesPerSweep` setting allows. */
  DISCOVERY_TOO_MANY_ADDRESSES: 'DISCOVERY_TOO_MANY_ADDRESSES',
  /** A sweep with no targets given and no IPv4 boundaries to default to. */
  DISCOVERY_NO_TARGETS: 'DISCOVERY_NO_TARGETS',
  DISCOVERY_SWEEP_NOT_FOUND: 'DISCOVERY_SWEEP_NOT_FOUND',
  /** An address no sweep has found (or not a member of the collection named). */
  DISCOVERY_MACHINE_NOT_FOUND: 'DISCOVERY_MACHINE_NOT_FOUND',
  /** Cancel asked of a sweep that has already finished. */
  DISCOVERY_SWEEP_FINISHED: 'DISCOVERY_SWEEP_FINISHED',
  /**
   * Remove asked of a discovered machine a collection includes only through one of its rules
   * (ADR 0038): there is no inclusion by address to remove; remove or narrow the rule instead.
   */
  DISCOVERY_MEMBER_INCLUDED_BY_RULE: 'DISCOVERY_MEMBER_INCLUDED_BY_RULE',
  // ---- software updates: update sources and the catalog (issue 10, ADR 0039) ----
  UPDATE_SOURCE_NOT_FOUND: 'UPDATE_SOURCE_NOT_FOUND',
  UPDATE_SOURCE_NAME_TAKEN: 'UPDATE_SOURCE_NAME_TAKEN',
  /** The keyring is not an ASCII-armoured OpenPGP public key block. */
  UPDATE_SOURCE_INVALID_KEYRING: 'UPDATE_SOURCE_INVALID_KEYRING',
  /** A sync of this source is already running. */
  UPDATE_SYNC_RUNNING: 'UPDATE_SYNC_RUNNING',
  // ---- OS deployment: the driver catalog (issue 11, ADR 0055) ----
  DRIVER_NOT_FOUND: 'DRIVER_NOT_FOUND',
  /** The upload is not a Debian binary package dpkg-deb can read, or a module in it is not ELF. */
  DRIVER_INVALID_PACKAGE: 'DRIVER_INVALID_PACKAGE',
  /** The package holds no kernel module and no firmware file: nothing a driver catalog serves. */
  DRIVER_NO_CONTENT: 'DRIVER_NO_CONTENT',
  /** That package name, version and architecture is already in the catalog. */
  DRIVER_EXISTS: 'DRIVER_EXISTS',
  // update groups and update deployments (issue 10, helper deploy)
  UPDATE_GROUP_NOT_FOUND: 'UPDATE_GROUP_NOT_FOUND',
  UPDATE_GROUP_NAME_TAKEN: 'UPDATE_GROUP_NAME_TAKEN',
  /** An update id that names no update in the catalog. */
  UPDATE_GROUP_UPDATE_NOT_FOUND: 'UPDATE_GROUP_UPDATE_NOT_FOUND',
  /** The update is not in that group. */
  UPDATE_GROUP_MEMBER_NOT_FOUND: 'UPDATE_GROUP_MEMBER_NOT_FOUND',
  /** The group has no updates to build content from. */
  UPDATE_GROUP_EMPTY: 'UPDATE_GROUP_EMPTY',
  /** An approved binary is no longer listed by its update source (details name them). */
  UPDATE_DEPLOYMENT_CONTENT_MISSING: 'UPDATE_DEPLOYMENT_CONTENT_MISSING',
  /** The update source could not be read or verified while building approved content. */
  UPDATE_DEPLOYMENT_SOURCE_FAILED: 'UPDATE_DEPLOYMENT_SOURCE_FAILED',
  UPDATE_DEPLOYMENT_NOT_FOUND: 'UPDATE_DEPLOYMENT_NOT_FOUND',
  /** The group has no published approved content yet: publish it first. */
  UPDATE_DEPLOYMENT_NOT_PUBLISHED: 'UPDATE_DEPLOYMENT_NOT_PUBLISHED',
  /** The update is not (or no longer) in that deployment. */
  UPDATE_DEPLOYMENT_UPDATE_NOT_FOUND: 'UPDATE_DEPLOYMENT_UPDATE_NOT_FOUND',
  /** Removing it would leave the deployment with no update (delete or disable it instead). */
  UPDATE_DEPLOYMENT_LAST_UPDATE: 'UPDATE_DEPLOYMENT_LAST_UPDATE',
  /**
   * The software deployment belongs to an update deployment (ADR 0056): change, rerun or delete
   * it through the update deployment (details name it).
   */
  DEPLOYMENT_OWNED_BY_UPDATE_DEPLOYMENT: 'DEPLOYMENT_OWNED_BY_UPDATE_DEPLOYMENT',
  /** No update of that id in the catalog. */
  UPDATE_NOT_FOUND: 'UPDATE_NOT_FOUND',
  // ---- automatic deployment rules and rollups (issue 10, ADR 0072) ----
  UPDATE_RULE_NOT_FOUND: 'UPDATE_RULE_NOT_FOUND',
  UPDATE_RULE_NAME_TAKEN: 'UPDATE_RULE_NAME_TAKEN',
  /** A rule that cannot work as written (details say which field and why). */
  UPDATE_RULE_INVALID: 'UPDATE_RULE_INVALID',
  /** The rule is running already (one run at a time). */
  UPDATE_RULE_RUNNING: 'UPDATE_RULE_RUNNING',
  /** No update source of that id or name: a rollup is per source. */
  UPDATE_ROLLUP_NOT_FOUND: 'UPDATE_ROLLUP_NOT_FOUND',
  /** The source has no current update that applies to a device: nothing to roll up. */
  UPDATE_ROLLUP_EMPTY: 'UPDATE_ROLLUP_EMPTY',
  // ---- software updates: advisories and the CVE view (issue 10, ADR 0048) ----
  /** An advisory feed that does not parse in the format named (nothing was imported). */
  ADVISORY_FORMAT_INVALID: 'ADVISORY_FORMAT_INVALID',
  ADVISORY_NOT_FOUND: 'ADVISORY_NOT_FOUND',
  ADVISORY_FEED_NOT_FOUND: 'ADVISORY_FEED_NOT_FOUND',
  ADVISORY_FEED_NAME_TAKEN: 'ADVISORY_FEED_NAME_TAKEN',
  /** The feed's URL could not be read (the catalog keeps what the last import brought). */
  ADVISORY_FEED_UNREACHABLE: 'ADVISORY_FEED_UNREACHABLE',
  /** No advisory data names this CVE. */
  CVE_NOT_FOUND: 'CVE_NOT_FOUND',
  // ---- software updates: scan and compliance (issue 10, ADRs 0046-0047) ----
  /** No update of that id in the catalog. */
  UPDATE_COMPLIANCE_UPDATE_NOT_FOUND: 'UPDATE_COMPLIANCE_UPDATE_NOT_FOUND',
  // client settings per collection and client health (issue 9)
  CLIENT_SETTINGS_NOT_FOUND: 'CLIENT_SETTINGS_NOT_FOUND',
  CLIENT_SETTINGS_NAME_TAKEN: 'CLIENT_SETTINGS_NAME_TAKEN',
  /** Two client settings objects cannot share a priority: precedence is never a tie (ADR 0025). */
  CLIENT_SETTINGS_PRIORITY_TAKEN: 'CLIENT_SETTINGS_PRIORITY_TAKEN',
  // device list columns and saved views (issue 12, ADR 0034)
  /** A column id (or sort key) naming no built-in column and no inventory class property. */
  DEVICE_COLUMN_UNKNOWN: 'DEVICE_COLUMN_UNKNOWN',
  /** No view of that id or name that the caller may see (another user's private view too). */
  VIEW_NOT_FOUND: 'VIEW_NOT_FOUND',
  /** The caller already has a view of that name for that list. */
  VIEW_NAME_TAKEN: 'VIEW_NAME_TAKEN',
  /** A shared view is read only for everyone but the user who saved it. */
  VIEW_NOT_OWNER: 'VIEW_NOT_OWNER',
  // ---- export and global search (issue 12, ADRs 0032 and 0033) ----
  /** An export asked for a format other than csv or json. */
  EXPORT_UNSUPPORTED_FORMAT: 'EXPORT_UNSUPPORTED_FORMAT',
  // discovered machines in collections by rule (issue 9, ADR 0038)
  /** A discovered-member rule whose value does not parse (a subnet that is no CIDR, an empty pattern). */
  DISCOVERED_RULE_INVALID: 'DISCOVERED_RULE_INVALID',
  DISCOVERED_RULE_NOT_FOUND: 'DISCOVERED_RULE_NOT_FOUND',
  // ---- bulk selection and actions (issue 12, ADR 0031) ----
  /** The selection now resolves to a count too far from the one the administrator confirmed. */
  BULK_COUNT_CHANGED: 'BULK_COUNT_CHANGED',
  /** The selection resolves to more devices than one bulk action takes, or a collection would exceed its rule limit. */
  BULK_TOO_MANY: 'BULK_TOO_MANY',
  /** A collection action without the collection to act on. */
  BULK_COLLECTION_REQUIRED: 'BULK_COLLECTION_REQUIRED',
  /** Push the agent to discovered machines without the push account to connect with. */
  BULK_ACCOUNT_REQUIRED: 'BULK_ACCOUNT_REQUIRED',
  // ---- reports with visible SQL (issue 10, ADRs 0053 and 0054) ----
  REPORT_NOT_FOUND: 'REPORT_NOT_FOUND',
  /** A custom report's id is taken (by a built-in or another custom report). */
  REPORT_ID_TAKEN: 'REPORT_ID_TAKEN',
  /** Built-in reports are declared in code: copy one into a custom report to change it. */
  REPORT_BUILT_IN: 'REPORT_BUILT_IN',
  /** The SQL does not parse or names something that does not exist (the database's message). */
  REPORT_SQL_INVALID: 'REPORT_SQL_INVALID',
  /** The SQL tried what a report may not: write, several statements, or read outside the v_* views. */
  REPORT_SQL_REFUSED: 'REPORT_SQL_REFUSED',
  /** The report ran longer than its time limit and was stopped. */
  REPORT_TIMEOUT: 'REPORT_TIMEOUT',
  /** A parameter is missing, of the wrong type, or outside its limits. */
  REPORT_PARAMETER_INVALID: 'REPORT_PARAMETER_INVALID',
  /** The database cannot give reports a read-only sandbox (PostgreSQL: no CREATEROLE). */
  REPORT_SANDBOX_UNAVAILABLE: 'REPORT_SANDBOX_UNAVAILABLE',
  // ---- software updates: custom (third-party) updates (issue 10, ADR 0059) ----
  CUSTOM_UPDATE_NOT_FOUND: 'CUSTOM_UPDATE_NOT_FOUND',
  /** A custom update of that vendor, product and version exists (its identity across sites). */
  CUSTOM_UPDATE_EXISTS: 'CUSTOM_UPDATE_EXISTS',
  /** The install or uninstall program names no program of the content library. */
  CUSTOM_UPDATE_PROGRAM_NOT_FOUND: 'CUSTOM_UPDATE_PROGRAM_NOT_FOUND',
  // ---- approved-update lists between sites (issue 10) ----
  /** A group named for export does not exist (nothing is exported). */
  UPDATE_APPROVALS_GROUP_NOT_FOUND: 'UPDATE_APPROVALS_GROUP_NOT_FOUND',
  // ---- OS deployment: task sequences (issue 11, ADRs 0069-0070) ----
  TASK_SEQUENCE_NOT_FOUND: 'TASK_SEQUENCE_NOT_FOUND',
  TASK_SEQUENCE_NAME_TAKEN: 'TASK_SEQUENCE_NAME_TAKEN',
  /** Steps that pass the schema but not the rules around it (duplicate ids, a reserved variable). */
  TASK_SEQUENCE_INVALID: 'TASK_SEQUENCE_INVALID',
  /** A step names a program, image, driver or upgrade package the site does not hold (details name them). */
  TASK_SEQUENCE_REFERENCE_NOT_FOUND: 'TASK_SEQUENCE_REFERENCE_NOT_FOUND',
  /** The sequence is deployed: remove its deployments first. */
  TASK_SEQUENCE_DEPLOYED: 'TASK_SEQUENCE_DEPLOYED',
  // ---- upgrade packages: in-place release upgrades (issue 11, ADR 0102) ----
  UPGRADE_PACKAGE_NOT_FOUND: 'UPGRADE_PACKAGE_NOT_FOUND',
  UPGRADE_PACKAGE_NAME_TAKEN: 'UPGRADE_PACKAGE_NAME_TAKEN',
  /** The keyring is not an ASCII-armoured OpenPGP public key block. */
  UPGRADE_PACKAGE_INVALID_KEYRING: 'UPGRADE_PACKAGE_INVALID_KEYRING',
  /** The target is the release it starts from, or a source names neither release's suite. */
  UPGRADE_PACKAGE_INVALID: 'UPGRADE_PACKAGE_INVALID',
  /** A task sequence's upgrade-os step names it: change or delete those sequences first. */
  UPGRADE_PACKAGE_IN_USE: 'UPGRADE_PACKAGE_IN_USE',
  // ---- task-sequence deployments (issue 11, ADR 0076) ----
  TASK_SEQUENCE_DEPLOYMENT_NOT_FOUND: 'TASK_SEQUENCE_DEPLOYMENT_NOT_FOUND',
  /** Dates out of order, a required deployment without a deadline, a password with no PXE. */
  TASK_SEQUENCE_DEPLOYMENT_INVALID: 'TASK_SEQUENCE_DEPLOYMENT_INVALID',
  /** The version named does not exist, or the sequence names a boot image the site lacks. */
  TASK_SEQUENCE_DEPLOYMENT_REFERENCE_NOT_FOUND: 'TASK_SEQUENCE_DEPLOYMENT_REFERENCE_NOT_FOUND',
  // ---- OS deployment: boot images, unknown and imported computers (issue 11, ADR 0065/0066) ----
  BOOT_IMAGE_NOT_FOUND: 'BOOT_IMAGE_NOT_FOUND',
  /** No Debian mirror is set (site setting bootImageMirror): a boot image cannot be built. */
  BOOT_IMAGE_NO_MIRROR: 'BOOT_IMAGE_NO_MIRROR',
  /** A build of that boot image is already running, or the image is still building. */
  BOOT_IMAGE_BUILD_RUNNING: 'BOOT_IMAGE_BUILD_RUNNING',
  /** The boot image has not finished building (or its build failed): nothing to distribute. */
  BOOT_IMAGE_NOT_READY: 'BOOT_IMAGE_NOT_READY',
  /** The boot key names no boot image of this site (or one that was deleted). */
  BOOT_IMAGE_KEY_INVALID: 'BOOT_IMAGE_KEY_INVALID',
  UNKNOWN_COMPUTER_NOT_FOUND: 'UNKNOWN_COMPUTER_NOT_FOUND',
  IMPORTED_COMPUTER_NOT_FOUND: 'IMPORTED_COMPUTER_NOT_FOUND',
  /** An imported computer needs a MAC address or an SMBIOS UUID to be matched by. */
  IMPORTED_COMPUTER_NO_IDENTITY: 'IMPORTED_COMPUTER_NO_IDENTITY',
  /** Another imported computer has that name, MAC or SMBIOS UUID. */
  IMPORTED_COMPUTER_EXISTS: 'IMPORTED_COMPUTER_EXISTS',
  /** The CSV has no header naming `name`, or a line that does not parse (details say which). */
  IMPORTED_COMPUTER_CSV_INVALID: 'IMPORTED_COMPUTER_CSV_INVALID',
  // ---- task-sequence media (issue 11, ADR 0089) ----
  MEDIA_NOT_FOUND: 'MEDIA_NOT_FOUND',
  /** Other media have that name. */
  MEDIA_NAME_TAKEN: 'MEDIA_NAME_TAKEN',
  /** The media are still building: wait for them (or their build failed: delete them). */
  MEDIA_BUILDING: 'MEDIA_BUILDING',
  /** The media have no ISO: still building, or their build failed or was interrupted. */
  MEDIA_NOT_READY: 'MEDIA_NOT_READY',
  /** A setting that does not go with the kind (a task sequence for capture media, none for standalone...). */
  MEDIA_SETTINGS_INVALID: 'MEDIA_SETTINGS_INVALID',
  /** Content the media would carry is not in the content library (details list it). */
  MEDIA_CONTENT_MISSING: 'MEDIA_CONTENT_MISSING',
  /**
   * A boot environment's media key names no capture media of this site: the media were deleted,
   * their key expired, or the key is not theirs (ADR 0107).
   */
  MEDIA_KEY_REFUSED: 'MEDIA_KEY_REFUSED',
  // ---- OS images as site content (issue 11, ADR 0085) ----
  OS_IMAGE_NOT_FOUND: 'OS_IMAGE_NOT_FOUND',
  /** A manifest whose archives repeat a name or a mount point, or lack the root ('/'). */
  OS_IMAGE_INVALID: 'OS_IMAGE_INVALID',
  /** The image's content package was deleted from the library: nothing to distribute. */
  OS_IMAGE_NO_CONTENT: 'OS_IMAGE_NO_CONTENT',
  // ---- default OS images built by the site (issue 11, ADR 0093) ----
  OS_IMAGE_BUILD_NOT_FOUND: 'OS_IMAGE_BUILD_NOT_FOUND',
  /** No mirror in the request, the boot image settings or the server's apt sources. */
  OS_IMAGE_NO_MIRROR: 'OS_IMAGE_NO_MIRROR',
  /** A build of that image name is already running: wait for it. */
  OS_IMAGE_BUILD_RUNNING: 'OS_IMAGE_BUILD_RUNNING',
  // ---- PXE on distribution points (issue 11, ADR 0079) ----
  /** The site server's own DP has no PXE responder: PXE runs on a standalone DP. */
  PXE_SITE_SERVER_DP: 'PXE_SITE_SERVER_DP',
  // ---- multicast from distribution points (issue 11, ADR 0088) ----
  /** The site server's own DP sends no multicast: it runs on a standalone DP. */
  MULTICAST_SITE_SERVER_DP: 'MULTICAST_SITE_SERVER_DP',
  /** The address or port range is empty or reversed (details say which). */
  MULTICAST_SETTINGS_INVALID: 'MULTICAST_SETTINGS_INVALID',
  /** The DP offers no multicast now (off, or every address/port in use): download by HTTP. */
  MULTICAST_UNAVAILABLE: 'MULTICAST_UNAVAILABLE',
  /** The file's session is already sending: a late client downloads by HTTP. */
  MULTICAST_SESSION_STARTED: 'MULTICAST_SESSION_STARTED',
  // ---- user state, state migration points, computer associations (issue 11, ADR 0096) ----
  USER_STATE_NOT_FOUND: 'USER_STATE_NOT_FOUND',
  /** No captured user state for this computer (nor for a source associated with it). */
  USER_STATE_NOT_CAPTURED: 'USER_STATE_NOT_CAPTURED',
  /** No state migration point is enabled with room (clients, free space) for a capture. */
  SMP_UNAVAILABLE: 'SMP_UNAVAILABLE',
  /** The site server's own DP is no state migration point: enable it on a standalone DP. */
  SMP_SITE_SERVER_DP: 'SMP_SITE_SERVER_DP',
  /** No device, imported computer or unknown computer has that id or name. */
  COMPUTER_NOT_FOUND: 'COMPUTER_NOT_FOUND',
  /** A computer associated with itself. */
  COMPUTER_ASSOCIATION_INVALID: 'COMPUTER_ASSOCIATION_INVALID',
  /** The source computer is already associated with a destination. */
  COMPUTER_ASSOCIATION_EXISTS: 'COMPUTER_ASSOCIATION_EXISTS',
  COMPUTER_ASSOCIATION_NOT_FOUND: 'COMPUTER_ASSOCIATION_NOT_FOUND',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The HTTP status each error class stands for; the server's error handler sends it. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 416 | 429 | 503;

/**
 * Base of the handful of errors services throw (ADR 0012). Declared in `protocol` so the
 * server, the agent and the typed client share one set of classes and one `ErrorCode`; the
 * server's Fastify error handler turns them into `{ code, message, details }` with `status`.
 */
export class AppError extends Error {
  constructor(
    readonly status: ErrorStatus,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Input that does not make sense (400). */
export class InputError extends AppError {
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(400, code, message, details);
  }
}

/** A named thing that does not exist (404). */
export class NotFoundError extends AppError {
  constructor(what: string, id: string, code: ErrorCode = ErrorCode.NOT_FOUND) {
    super(404, code, `${what} "${id}" does not exist`);
  }
}

/** The request contradicts the current state: a name taken, a thing in use (409). */
export class ConflictError extends AppError {
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(409, code, message, details);
  }
}

/** The caller is known but may not do this (403). */
export class NotAllowedError extends AppError {
  constructor(message: string, code: ErrorCode = ErrorCode.FORBIDDEN, details?: unknown) {
    super(403, code, message, details);
  }
}

/** The caller is not known: no session, a wrong key (401). */
export class UnauthenticatedError extends AppError {
  constructor(code: ErrorCode = ErrorCode.UNAUTHENTICATED, message = 'sign in first') {
    super(401, code, message);
  }
}

/** Something the request needs is away for now; retrying later may work (503). */
export class UnavailableError extends AppError {
  constructor(code: ErrorCode, message: string) {
    super(503, code, message);
  }
}

/** Too many requests; `retryAfterSeconds` goes into the `retry-after` header (429). */
export class RateLimitedError extends AppError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, code, message);
  }
}
