import type { ClientSettings, NudgeAction } from '../agent/protocol.js';
import type {
  CreateBoundaryGroupRequest,
  CreateBoundaryRequest,
  UpdateBoundaryGroupRequest,
  UpdateBoundaryRequest,
} from '../boundaries/schemas.js';
import type { CollectionDefinition, CollectionPreviewRequest } from '../collections/schemas.js';
import { ErrorCode } from '../common/errors.js';
import type {
  CreatePackageRequest,
  ManifestEntry,
  UpdatePackageRequest,
} from '../content/schemas.js';
import type {
  CreatePhasedDeploymentRequest,
  DeploymentBody,
  DeploymentFailuresQuery,
  ListDeploymentDevicesQuery,
  UpdateDeploymentRequest,
} from '../deployments/schemas.js';
import type { ListDevicesQuery } from '../devices/schemas.js';
import type { BulkDeviceActionRequest } from '../devices/bulk.js';
import type {
  CreateDistributionPointRequest,
  CreateDpGroupRequest,
  DistributeRequest,
  UpdateDistributionPointRequest,
  UpdateDpGroupRequest,
} from '../distribution/schemas.js';
import type { CreateEnrolmentTokenRequest } from '../enrolment/schemas.js';
import { type ExportArgs, exportPathOf } from '../export/export-of.js';
import type { CustomClassDefinition } from '../inventory/schemas.js';
import type { ProgramBody, UpdateProgramRequest } from '../programs/schemas.js';
import type { MaintenanceWindowBody, UpdateMaintenanceWindowRequest } from '../schedule/schemas.js';
import type { SiteSettings } from '../site/schemas.js';
import type { ListStatusMessagesQuery } from '../status/schemas.js';
import type { CreateUserRequest, LoginResponse, UpdateUserRequest } from '../users/schemas.js';
import { API_PREFIX } from './common.js';
import { ops } from './operation-table.js';
import {
  type BodyOf,
  type CallArgs,
  type ExportSpec,
  type Operation,
  type QueryOf,
  type RawArgs,
  type RawBody,
  type ResultOf,
  successStatus,
} from './operation.js';
import { checkAnswer, requestOf } from './request.js';
import { CSRF_HEADER, isSafeMethod } from './session.js';

/** Codes the client raises itself, for answers that never reached it or made no sense. */
export type ClientErrorCode =
  | 'UNREACHABLE'
  | 'NO_TOKEN'
  | 'BAD_RESPONSE'
  | 'ABORTED'
  /** An error answer whose body carries no code this client knows (a proxy's 502, say). */
  | `HTTP_${number}`;

/** Every code an `ApiError` can carry: the site's `ErrorCode`s and the client's own. */
export type ApiErrorCode = ErrorCode | ClientErrorCode;

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));
function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && KNOWN_CODES.has(code);
}

/** An error answer from the site: `code` is stable, switch on it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** The typed error an error answer (status and body text) stands for. */
export function apiErrorOf(status: number, text: string, statusText = ''): ApiError {
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const o = typeof body === 'object' && body !== null ? body : {};
  const code: unknown = Reflect.get(o, 'code');
  const message: unknown = Reflect.get(o, 'message');
  return new ApiError(
    status,
    isErrorCode(code) ? code : `HTTP_${status}`,
    typeof message === 'string' ? message : text || statusText || `HTTP ${status}`,
    Reflect.get(o, 'details'),
  );
}

export interface ApiClientOptions {
  /** Admin URL, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  token?: string | undefined;
  /** Injected fetch (defaults to the global one). */
  fetch?: typeof fetch;
  /** Called on 401 so a UI can send the user back to sign-in. */
  onUnauthenticated?: () => void;
  /**
   * Browser mode (the console): the session is a same-origin HttpOnly cookie set at login, and
   * every state-changing request carries the CSRF token this returns. Without it (the CLI,
   * scripts) the client sends `Authorization: Bearer <token>`.
   */
  cookieSession?: { csrfToken: () => string | undefined };
}

/** The bearer token of a token-mode sign-in (the CLI's); the site always sends one there. */
export function bearerTokenOf(res: LoginResponse): string {
  if (!res.token)
    throw new ApiError(0, 'NO_TOKEN', 'the site answered the sign-in without a token');
  return res.token;
}

/** Raw request body (Blob, bytes, stream...). */
export type RequestBody = NonNullable<RequestInit['body']>;

/**
 * Typed client of the admin API, shared by the CLI and the console: everything either can do
 * goes through these methods.
 */
export class ApiClient {
  private readonly f: typeof fetch;
  constructor(private readonly opts: ApiClientOptions) {
    this.f = opts.fetch ?? ((...a) => fetch(...a));
  }

  get baseUrl(): string {
    return this.opts.baseUrl.replace(/\/+$/, '');
  }
  get token(): string | undefined {
    return this.opts.token;
  }
  setToken(token: string | undefined): void {
    this.opts.token = token;
  }

  /**
   * Calls one operation of the table (`ops.devices.list`): the path, query and body come from
   * the operation, and the answer is checked against the operation's response schema, so what
   * the CLI and the console read is what the table says (a mismatch is a BAD_RESPONSE error).
   */
  async call<O extends Operation>(op: O, args: CallArgs<O>): Promise<ResultOf<O>> {
    // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- CallArgs<O> is a conditional type over the same optional parts; reading them needs no check
    const { raw } = args as { raw?: RawArgs<RawBody> };
    const line = requestOf(op, args);
    const answer = await this.send(
      line.method,
      line.path,
      op.rawBody !== undefined && raw !== undefined
        ? { contentType: raw.mediaType ?? op.rawBody.mediaTypes[0], body: raw.body }
        : line.body === undefined
          ? undefined
          : { contentType: 'application/json', body: JSON.stringify(line.body) },
    );
    const checked = checkAnswer(op, answer);
    if (!checked.ok) throw new ApiError(successStatus(op), 'BAD_RESPONSE', checked.error);
    return checked.value;
  }

  /**
   * One request; the parsed JSON answer (undefined for 204 or an empty body), unchecked: `call`
   * checks it. A Node ReadableStream body needs `duplex: 'half'`, which browsers ignore for Blobs.
   */
  private async send(
    method: string,
    pathAndQuery: string,
    raw?: { contentType: string; body: RequestBody },
  ): Promise<unknown> {
    const headers = this.authHeaders(method);
    if (raw !== undefined) headers['content-type'] = raw.contentType;
    let res: Response;
    try {
      res = await this.fetchRetryingStale(`${this.baseUrl}${API_PREFIX}${pathAndQuery}`, {
        method,
        headers,
        ...(this.opts.cookieSession ? { credentials: 'same-origin' as const } : {}),
        ...(raw === undefined ? {} : { body: raw.body, duplex: 'half' }),
      });
    } catch (err) {
      throw new ApiError(
        0,
        'UNREACHABLE',
        `cannot reach ${this.baseUrl}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (res.status === 204) return undefined;
    const text = await res.text();
    if (!res.ok) {
      if (res.status === 401) this.opts.onUnauthenticated?.();
      throw apiErrorOf(res.status, text, res.statusText);
    }
    try {
      const parsed: unknown = text ? JSON.parse(text) : undefined;
      return parsed;
    } catch {
      return undefined;
    }
  }

  /**
   * `fetch`, with a GET or HEAD sent once more when the connection it went out on turned out to
   * be closed by the site: an idle keep-alive connection the site closed (after its 5 s idle
   * limit) while this process was too busy to notice is reused, and Node's fetch fails with a
   * socket error before any answer. A safe method may be repeated; anything else is not.
   */
  private async fetchRetryingStale(url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.f(url, init);
    } catch (err) {
      const safe = init.method === undefined || init.method === 'GET' || init.method === 'HEAD';
      if (!safe || !closedBeforeAnswer(err)) throw err;
      return this.f(url, init);
    }
  }

  /** The headers that authenticate a request of `method` (for requests made outside `send`). */
  authHeaders(method: string): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    const csrf = this.opts.cookieSession?.csrfToken();
    if (csrf && !isSafeMethod(method)) headers[CSRF_HEADER] = csrf;
    return headers;
  }

  // ---- session ----
  login(userName: string, password: string) {
    return this.call(ops.auth.login, {
      body: {
        userName,
        password,
        ...(this.opts.cookieSession ? { session: 'cookie' as const } : {}),
      },
    });
  }
  logout() {
    return this.call(ops.auth.logout, {});
  }
  me() {
    return this.call(ops.auth.me, {});
  }
  site() {
    return this.call(ops.site.info, {});
  }
  getSiteSettings() {
    return this.call(ops.site.getSettings, {});
  }
  updateSiteSettings(patch: Partial<SiteSettings>) {
    return this.call(ops.site.updateSettings, { body: patch });
  }

  // ---- users ----
  listUsers() {
    return this.call(ops.users.list, {});
  }
  createUser(req: CreateUserRequest) {
    return this.call(ops.users.create, { body: req });
  }
  updateUser(id: string, req: UpdateUserRequest) {
    return this.call(ops.users.update, { params: { id }, body: req });
  }
  deleteUser(id: string) {
    return this.call(ops.users.remove, { params: { id } });
  }

  // ---- enrolment ----
  listTokens() {
    return this.call(ops.enrolment.listTokens, {});
  }
  createToken(req: CreateEnrolmentTokenRequest = {}) {
    return this.call(ops.enrolment.createToken, { body: req });
  }
  revokeToken(id: string) {
    return this.call(ops.enrolment.revokeToken, { params: { id } });
  }

  // ---- export (ADR 0032) ----
  /** The URL of an export with these filters (`format` among them): a download link's href. */
  exportUrl(op: Operation & { export: ExportSpec }, args: ExportArgs): string {
    return `${this.baseUrl}${exportPathOf(op, args)}`;
  }
  /**
   * Starts an export: the answer, whose body streams every matching row as it is written (the
   * CLI pipes it to stdout). An error answer throws its `ApiError` before any row is read.
   */
  async exportResponse(
    op: Operation & { export: ExportSpec },
    args: ExportArgs,
  ): Promise<Response> {
    return this.download(this.exportUrl(op, args));
  }
  /** Where a report's result downloads as CSV or JSON (ADR 0053): a plain link for the console. */
  reportExportUrl(id: string, query: QueryOf<typeof ops.sqlReportExports.export> = {}): string {
    const line = requestOf(ops.sqlReportExports.export, { params: { id }, query });
    return `${this.baseUrl}${API_PREFIX}${line.path}`;
  }
  /** A report's result file, streamed (`steward report run --csv`). */
  reportExportResponse(
    id: string,
    query: QueryOf<typeof ops.sqlReportExports.export> = {},
  ): Promise<Response> {
    return this.download(this.reportExportUrl(id, query));
  }
  /** The URL of a file download operation (`binaryResponse`): a download link's href. */
  fileUrl<O extends Operation & { binaryResponse: true }>(op: O, args: CallArgs<O>): string {
    return `${this.baseUrl}${API_PREFIX}${requestOf(op, args).path}`;
  }
  /** A file download (`binaryResponse`), its body streamed by the caller (`steward media download`). */
  fileResponse<O extends Operation & { binaryResponse: true }>(
    op: O,
    args: CallArgs<O>,
  ): Promise<Response> {
    return this.download(this.fileUrl(op, args));
  }
  /** A GET whose body the caller streams; an error answer throws its `ApiError` first. */
  private async download(url: string): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetchRetryingStale(url, {
        method: 'GET',
        headers: this.authHeaders('GET'),
        ...(this.opts.cookieSession ? { credentials: 'same-origin' as const } : {}),
      });
    } catch (err) {
      throw new ApiError(
        0,
        'UNREACHABLE',
        `cannot reach ${this.baseUrl}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (!res.ok) {
      if (res.status === 401) this.opts.onUnauthenticated?.();
      throw apiErrorOf(res.status, await res.text(), res.statusText);
    }
    return res;
  }

  // ---- global search (ADR 0033) ----
  search(q: string, limit?: number) {
    return this.call(ops.search.search, { query: { q, ...(limit ? { limit } : {}) } });
  }

  // ---- devices ----
  listDevices(q: ListDevicesQuery = {}) {
    return this.call(ops.devices.list, { query: q });
  }
  getDevice(idOrName: string) {
    return this.call(ops.devices.get, { params: { id: idOrName } });
  }
  devicePackages(idOrName: string, q: QueryOf<typeof ops.devices.packages> = {}) {
    return this.call(ops.devices.packages, { params: { id: idOrName }, query: q });
  }
  deviceHistory(idOrName: string, q: QueryOf<typeof ops.devices.history> = {}) {
    return this.call(ops.devices.history, { params: { id: idOrName }, query: q });
  }
  deviceActions(idOrName: string) {
    return this.call(ops.devices.actions, { params: { id: idOrName } });
  }
  requestDeviceAction(idOrName: string, action: NudgeAction) {
    return this.call(ops.devices.requestAction, { params: { id: idOrName }, body: { action } });
  }
  revokeDevice(idOrName: string) {
    return this.call(ops.devices.revoke, { params: { id: idOrName } });
  }
  /** One bulk action on a selection of devices (ids or a filter), resolved on the site. */
  bulkDeviceAction(body: BulkDeviceActionRequest) {
    return this.call(ops.devices.bulkAction, { body });
  }

  // ---- inventory classes and client settings ----
  listInventoryClasses() {
    return this.call(ops.inventory.listClasses, {});
  }
  createInventoryClass(def: CustomClassDefinition) {
    return this.call(ops.inventory.createClass, { body: def });
  }
  updateInventoryClass(name: string, def: CustomClassDefinition) {
    return this.call(ops.inventory.updateClass, { params: { name }, body: def });
  }
  deleteInventoryClass(name: string) {
    return this.call(ops.inventory.removeClass, { params: { name } });
  }
  getClientSettings() {
    return this.call(ops.inventory.getClientSettings, {});
  }
  updateClientSettings(settings: Partial<ClientSettings>) {
    return this.call(ops.inventory.updateClientSettings, { body: settings });
  }

  // ---- collections and queries ----
  listCollections() {
    return this.call(ops.collections.list, {});
  }
  getCollection(idOrName: string) {
    return this.call(ops.collections.get, { params: { id: idOrName } });
  }
  createCollection(def: CollectionDefinition) {
    return this.call(ops.collections.create, { body: def });
  }
  updateCollection(idOrName: string, def: CollectionDefinition) {
    return this.call(ops.collections.update, { params: { id: idOrName }, body: def });
  }
  deleteCollection(idOrName: string) {
    return this.call(ops.collections.remove, { params: { id: idOrName } });
  }
  collectionMembers(idOrName: string, q: QueryOf<typeof ops.collections.members> = {}) {
    return this.call(ops.collections.members, { params: { id: idOrName }, query: q });
  }
  collectionMembershipHistory(
    idOrName: string,
    q: QueryOf<typeof ops.collections.membershipHistory> = {},
  ) {
    return this.call(ops.collections.membershipHistory, { params: { id: idOrName }, query: q });
  }
  collectionRevisions(idOrName: string) {
    return this.call(ops.collections.revisions, { params: { id: idOrName } });
  }
  restoreCollectionRevision(idOrName: string, revision: number) {
    return this.call(ops.collections.restoreRevision, { params: { id: idOrName, revision } });
  }
  /** Sends "fetch policy now" / "collect inventory now" to every member of a collection. */
  notifyCollection(idOrName: string, action: NudgeAction) {
    return this.call(ops.devices.notifyCollection, { params: { id: idOrName }, body: { action } });
  }
  evaluateCollection(idOrName: string) {
    return this.call(ops.collections.evaluate, { params: { id: idOrName } });
  }
  previewCollection(req: CollectionPreviewRequest) {
    return this.call(ops.collections.preview, { body: req });
  }
  queryCompletions(className?: string) {
    return this.call(ops.collections.completions, {
      query: className === undefined ? {} : { class: className },
    });
  }
  validateQuery(query: string) {
    return this.call(ops.collections.validateQuery, { body: { query } });
  }

  // ---- status and monitoring ----
  listStatusMessages(q: ListStatusMessagesQuery = {}) {
    return this.call(ops.status.listMessages, { query: q });
  }
  statusCatalog() {
    return this.call(ops.status.catalog, {});
  }
  clientActivity(q: QueryOf<typeof ops.status.clientActivity> = {}) {
    return this.call(ops.status.clientActivity, { query: q });
  }
  listAudit(q: QueryOf<typeof ops.audit.list> = {}) {
    return this.call(ops.audit.list, { query: q });
  }
  auditFacets() {
    return this.call(ops.audit.facets, {});
  }

  // ---- software library: packages, content, programs ----
  listPackages(q: QueryOf<typeof ops.packages.list> = {}) {
    return this.call(ops.packages.list, { query: q });
  }
  getPackage(idOrName: string) {
    return this.call(ops.packages.get, { params: { id: idOrName } });
  }
  createPackage(req: CreatePackageRequest) {
    return this.call(ops.packages.create, { body: req });
  }
  updatePackage(idOrName: string, req: UpdatePackageRequest) {
    return this.call(ops.packages.update, { params: { id: idOrName }, body: req });
  }
  deletePackage(idOrName: string) {
    return this.call(ops.packages.remove, { params: { id: idOrName } });
  }
  packageVersions(idOrName: string) {
    return this.call(ops.packages.versions, { params: { id: idOrName } });
  }
  packageVersionFiles(idOrName: string, versionNumber: number) {
    return this.call(ops.packages.versionFiles, {
      params: { id: idOrName, number: versionNumber },
    });
  }
  /** Deletes old content versions, keeping the newest `keep` (the current one always stays). */
  pruneVersions(idOrName: string, keep?: number) {
    return this.call(ops.packages.pruneVersions, {
      params: { id: idOrName },
      body: keep === undefined ? {} : { keep },
    });
  }
  missingContent(sha256: string[]) {
    return this.call(ops.content.missing, { body: { sha256 } });
  }
  /** Stores one file in the library; the site verifies the bytes hash to `sha256`. */
  uploadContentFile(sha256: string, body: RequestBody) {
    return this.call(ops.content.uploadFile, { params: { sha256 }, raw: { body } });
  }
  createVersionFromFiles(idOrName: string, files: ManifestEntry[]) {
    return this.call(ops.packages.createVersion, { params: { id: idOrName }, body: { files } });
  }
  /** A tar or tar.gz archive as the new version's source. */
  createVersionFromArchive(idOrName: string, body: RequestBody, gzip: boolean) {
    return this.call(ops.packages.createVersionFromArchive, {
      params: { id: idOrName },
      raw: { body, mediaType: gzip ? 'application/gzip' : 'application/x-tar' },
    });
  }
  createVersionFromFolder(idOrName: string, path: string) {
    return this.call(ops.packages.createVersionFromFolder, {
      params: { id: idOrName },
      body: { path },
    });
  }
  contentLibrary() {
    return this.call(ops.content.library, {});
  }
  distributePackage(idOrName: string, req: DistributeRequest) {
    return this.call(ops.packageDistribution.distribute, { params: { id: idOrName }, body: req });
  }
  removePackageFromDp(idOrName: string, dp: string) {
    return this.call(ops.packageDistribution.removeFromDp, { params: { id: idOrName, dp } });
  }
  packageContentStatus(idOrName: string) {
    return this.call(ops.packageDistribution.contentStatus, { params: { id: idOrName } });
  }
  validatePackageContent(idOrName: string, dpIds?: string[]) {
    return this.call(ops.packageDistribution.validate, {
      params: { id: idOrName },
      body: dpIds ? { dpIds } : {},
    });
  }
  listPrograms(packageIdOrName?: string) {
    return this.call(ops.programs.list, {
      query: packageIdOrName === undefined ? {} : { package: packageIdOrName },
    });
  }
  getProgram(id: string) {
    return this.call(ops.programs.get, { params: { id } });
  }
  createProgram(packageIdOrName: string, req: ProgramBody) {
    return this.call(ops.programs.create, { params: { id: packageIdOrName }, body: req });
  }
  updateProgram(id: string, req: UpdateProgramRequest) {
    return this.call(ops.programs.update, { params: { id }, body: req });
  }
  deleteProgram(id: string) {
    return this.call(ops.programs.remove, { params: { id } });
  }
  /** "Disable this program": stops it everywhere at once, mandatory runs included. */
  setProgramDisabled(id: string, disabled: boolean) {
    return this.call(disabled ? ops.programs.disable : ops.programs.enable, { params: { id } });
  }

  // ---- distribution points, groups, boundaries ----
  listDistributionPoints() {
    return this.call(ops.distributionPoints.list, {});
  }
  getDistributionPoint(idOrName: string) {
    return this.call(ops.distributionPoints.get, { params: { id: idOrName } });
  }
  createDistributionPoint(req: CreateDistributionPointRequest) {
    return this.call(ops.distributionPoints.create, { body: req });
  }
  updateDistributionPoint(idOrName: string, req: UpdateDistributionPointRequest) {
    return this.call(ops.distributionPoints.update, { params: { id: idOrName }, body: req });
  }
  deleteDistributionPoint(idOrName: string) {
    return this.call(ops.distributionPoints.remove, { params: { id: idOrName } });
  }
  renewDistributionPointToken(idOrName: string) {
    return this.call(ops.distributionPoints.renewToken, { params: { id: idOrName } });
  }
  distributionPointContent(idOrName: string) {
    return this.call(ops.distributionPoints.content, { params: { id: idOrName } });
  }
  listDpGroups() {
    return this.call(ops.dpGroups.list, {});
  }
  getDpGroup(idOrName: string) {
    return this.call(ops.dpGroups.get, { params: { id: idOrName } });
  }
  createDpGroup(req: CreateDpGroupRequest) {
    return this.call(ops.dpGroups.create, { body: req });
  }
  updateDpGroup(idOrName: string, req: UpdateDpGroupRequest) {
    return this.call(ops.dpGroups.update, { params: { id: idOrName }, body: req });
  }
  deleteDpGroup(idOrName: string) {
    return this.call(ops.dpGroups.remove, { params: { id: idOrName } });
  }
  addDpGroupMembers(idOrName: string, dpIds: string[]) {
    return this.call(ops.dpGroups.addMembers, { params: { id: idOrName }, body: { dpIds } });
  }
  removeDpGroupMember(idOrName: string, dp: string) {
    return this.call(ops.dpGroups.removeMember, { params: { id: idOrName, dp } });
  }
  /** Distributes the group's packages to members that lack them (adding a member does not). */
  distributeToNewMembers(idOrName: string) {
    return this.call(ops.dpGroups.distributeToNewMembers, { params: { id: idOrName } });
  }
  listBoundaries() {
    return this.call(ops.boundaries.list, {});
  }
  createBoundary(req: CreateBoundaryRequest) {
    return this.call(ops.boundaries.create, { body: req });
  }
  updateBoundary(idOrName: string, req: UpdateBoundaryRequest) {
    return this.call(ops.boundaries.update, { params: { id: idOrName }, body: req });
  }
  deleteBoundary(idOrName: string) {
    return this.call(ops.boundaries.remove, { params: { id: idOrName } });
  }
  listBoundaryGroups() {
    return this.call(ops.boundaryGroups.list, {});
  }
  getBoundaryGroup(idOrName: string) {
    return this.call(ops.boundaryGroups.get, { params: { id: idOrName } });
  }
  createBoundaryGroup(req: CreateBoundaryGroupRequest) {
    return this.call(ops.boundaryGroups.create, { body: req });
  }
  updateBoundaryGroup(idOrName: string, req: UpdateBoundaryGroupRequest) {
    return this.call(ops.boundaryGroups.update, { params: { id: idOrName }, body: req });
  }
  deleteBoundaryGroup(idOrName: string) {
    return this.call(ops.boundaryGroups.remove, { params: { id: idOrName } });
  }
  /** Which boundary groups and DPs a client at `ip` gets (troubleshooting). */
  resolveContentLocations(ip: string, packageIdOrName?: string) {
    return this.call(ops.boundaryGroups.resolve, {
      query: packageIdOrName === undefined ? { ip } : { ip, packageId: packageIdOrName },
    });
  }

  // ---- deployments ----
  listDeployments(q: QueryOf<typeof ops.deployments.list> = {}) {
    return this.call(ops.deployments.list, { query: q });
  }
  getDeployment(id: string) {
    return this.call(ops.deployments.get, { params: { id } });
  }
  createDeployment(req: DeploymentBody) {
    return this.call(ops.deployments.create, { body: req });
  }
  updateDeployment(id: string, req: UpdateDeploymentRequest) {
    return this.call(ops.deployments.update, { params: { id }, body: req });
  }
  deleteDeployment(id: string) {
    return this.call(ops.deployments.remove, { params: { id } });
  }
  rerunDeployment(id: string, deviceIds?: string[]) {
    return this.call(ops.deployments.rerun, {
      params: { id },
      body: deviceIds ? { deviceIds } : {},
    });
  }
  addExtraAssignment(id: string, at: string) {
    return this.call(ops.deployments.addAssignment, { params: { id }, body: { at } });
  }
  deploymentSummary(id: string) {
    return this.call(ops.deployments.summary, { params: { id } });
  }
  deploymentTimeline(id: string) {
    return this.call(ops.deploymentReports.timeline, { params: { id } });
  }
  deploymentDevices(id: string, q: ListDeploymentDevicesQuery = {}) {
    return this.call(ops.deployments.devices, { params: { id }, query: q });
  }
  /** Every deployment targeting a device, with the device's state in each. */
  deviceDeployments(idOrName: string) {
    return this.call(ops.deployments.ofDevice, { params: { id: idOrName } });
  }
  listMaintenanceWindows(collectionIdOrName?: string) {
    return this.call(ops.maintenanceWindows.list, {
      query: collectionIdOrName === undefined ? {} : { collection: collectionIdOrName },
    });
  }
  createMaintenanceWindow(collectionIdOrName: string, req: MaintenanceWindowBody) {
    return this.call(ops.maintenanceWindows.create, {
      params: { id: collectionIdOrName },
      body: req,
    });
  }
  updateMaintenanceWindow(id: string, req: UpdateMaintenanceWindowRequest) {
    return this.call(ops.maintenanceWindows.update, { params: { id }, body: req });
  }
  deleteMaintenanceWindow(id: string) {
    return this.call(ops.maintenanceWindows.remove, { params: { id } });
  }
  listPhasedDeployments() {
    return this.call(ops.phasedDeployments.list, {});
  }
  getPhasedDeployment(id: string) {
    return this.call(ops.phasedDeployments.get, { params: { id } });
  }
  createPhasedDeployment(req: CreatePhasedDeploymentRequest) {
    return this.call(ops.phasedDeployments.create, { body: req });
  }
  haltPhasedDeployment(id: string, reason?: string) {
    return this.call(ops.phasedDeployments.halt, {
      params: { id },
      body: reason ? { reason } : {},
    });
  }
  resumePhasedDeployment(id: string) {
    return this.call(ops.phasedDeployments.resume, { params: { id } });
  }

  // ---- reports ----
  reportDeploymentSummary() {
    return this.call(ops.deploymentReports.summary, {});
  }
  reportDeploymentFailures(q: DeploymentFailuresQuery = {}) {
    return this.call(ops.deploymentReports.failures, { query: q });
  }
  reportDistributionStatus(q: QueryOf<typeof ops.distributionReports.status> = {}) {
    return this.call(ops.distributionReports.status, { query: q });
  }
  reportDpCompletion() {
    return this.call(ops.distributionReports.dpCompletion, {});
  }

  // ---- saved views (ADR 0034) ----
  listViews(q: QueryOf<typeof ops.views.list> = {}) {
    return this.call(ops.views.list, { query: q });
  }
  getView(idOrName: string) {
    return this.call(ops.views.get, { params: { id: idOrName } });
  }
  createView(req: BodyOf<typeof ops.views.create>) {
    return this.call(ops.views.create, { body: req });
  }
  updateView(id: string, req: BodyOf<typeof ops.views.update>) {
    return this.call(ops.views.update, { params: { id }, body: req });
  }
  deleteView(id: string) {
    return this.call(ops.views.remove, { params: { id } });
  }
  setDefaultView(id: string) {
    return this.call(ops.views.setDefault, { params: { id } });
  }
  clearDefaultView(id: string) {
    return this.call(ops.views.clearDefault, { params: { id } });
  }
}

/** Whether fetch failed because its connection was closed before any answer (Node's undici). */
function closedBeforeAnswer(err: unknown): boolean {
  const cause = err instanceof Error ? err.cause : undefined;
  const code =
    typeof cause === 'object' && cause !== null && 'code' in cause ? cause.code : undefined;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET';
}
