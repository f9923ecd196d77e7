import type {
  AuditEntry,
  ClientActivity,
  Collection,
  CollectionActionResult,
  CollectionDefinition,
  CollectionPreview,
  CollectionPreviewRequest,
  CollectionRevision,
  CreateEnrolmentTokenRequest,
  CreateUserRequest,
  DeviceAction,
  DeviceDetail,
  DevicePackage,
  DeviceSummary,
  EnrolmentToken,
  InventoryChange,
  InventoryClassInfo,
  ListDevicesQuery,
  ListStatusMessagesQuery,
  LoginResponse,
  MembershipChange,
  SiteInfo,
  SiteSettings,
  StatusMessage,
  UpdateUserRequest,
  User,
} from './admin-api.js';
import { API_PREFIX } from './admin-api.js';
import type { CompletionsResponse } from './query/api-schemas.js';
import type { CustomClassDefinition } from './inventory.js';
import type { NudgeAction, ClientSettings } from './agent-api.js';
import type { CatalogEntry } from './status-catalog.js';

/** An error answer from the site: `code` is stable, switch on it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface ApiClientOptions {
  /** Admin URL, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  token?: string | undefined;
  /** Injected fetch (defaults to the global one). */
  fetch?: typeof fetch;
  /** Called on 401 so a UI can send the user back to sign-in. */
  onUnauthenticated?: () => void;
}

type Query = Record<string, string | number | boolean | undefined | null>;

function queryString(q: Query | undefined): string {
  if (!q) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q))
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

const enc = encodeURIComponent;

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

  async request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    let res: Response;
    try {
      res = await this.f(`${this.baseUrl}${API_PREFIX}${path}${queryString(query)}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      throw new ApiError(
        0,
        'UNREACHABLE',
        `cannot reach ${this.baseUrl}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      if (res.status === 401) this.opts.onUnauthenticated?.();
      const o = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
      const code = typeof o.code === 'string' ? o.code : `HTTP_${res.status}`;
      const message = typeof o.message === 'string' ? o.message : text || res.statusText;
      throw new ApiError(res.status, code, message, o.details);
    }
    return json as T;
  }

  // ---- session ----
  login(userName: string, password: string) {
    return this.request<LoginResponse>('POST', '/auth/login', { userName, password });
  }
  logout() {
    return this.request<void>('POST', '/auth/logout');
  }
  me() {
    return this.request<User>('GET', '/auth/me');
  }
  site() {
    return this.request<SiteInfo>('GET', '/site');
  }
  getSiteSettings() {
    return this.request<SiteSettings>('GET', '/site-settings');
  }
  updateSiteSettings(patch: Partial<SiteSettings>) {
    return this.request<SiteSettings>('PUT', '/site-settings', patch);
  }

  // ---- users ----
  listUsers() {
    return this.request<User[]>('GET', '/users');
  }
  createUser(req: CreateUserRequest) {
    return this.request<User>('POST', '/users', req);
  }
  updateUser(id: string, req: UpdateUserRequest) {
    return this.request<User>('PATCH', `/users/${enc(id)}`, req);
  }
  deleteUser(id: string) {
    return this.request<void>('DELETE', `/users/${enc(id)}`);
  }

  // ---- enrolment ----
  listTokens() {
    return this.request<EnrolmentToken[]>('GET', '/enrolment-tokens');
  }
  createToken(req: CreateEnrolmentTokenRequest = {}) {
    return this.request<EnrolmentToken>('POST', '/enrolment-tokens', req);
  }
  revokeToken(id: string) {
    return this.request<void>('DELETE', `/enrolment-tokens/${enc(id)}`);
  }

  // ---- devices ----
  listDevices(q: ListDevicesQuery = {}) {
    return this.request<{ items: DeviceSummary[]; total: number }>('GET', '/devices', undefined, q);
  }
  getDevice(idOrName: string) {
    return this.request<DeviceDetail>('GET', `/devices/${enc(idOrName)}`);
  }
  devicePackages(idOrName: string, q: { search?: string; offset?: number; limit?: number } = {}) {
    return this.request<{ items: DevicePackage[]; total: number }>(
      'GET',
      `/devices/${enc(idOrName)}/packages`,
      undefined,
      q,
    );
  }
  deviceHistory(idOrName: string, q: { className?: string; limit?: number; before?: string } = {}) {
    return this.request<InventoryChange[]>(
      'GET',
      `/devices/${enc(idOrName)}/inventory-history`,
      undefined,
      q,
    );
  }
  deviceActions(idOrName: string) {
    return this.request<DeviceAction[]>('GET', `/devices/${enc(idOrName)}/actions`);
  }
  requestDeviceAction(idOrName: string, action: NudgeAction) {
    return this.request<DeviceAction>('POST', `/devices/${enc(idOrName)}/actions`, { action });
  }
  revokeDevice(idOrName: string) {
    return this.request<DeviceSummary>('POST', `/devices/${enc(idOrName)}/revoke`);
  }

  // ---- inventory classes and client settings ----
  listInventoryClasses() {
    return this.request<InventoryClassInfo[]>('GET', '/inventory-classes');
  }
  createInventoryClass(def: CustomClassDefinition) {
    return this.request<InventoryClassInfo>('POST', '/inventory-classes', def);
  }
  updateInventoryClass(name: string, def: CustomClassDefinition) {
    return this.request<InventoryClassInfo>('PUT', `/inventory-classes/${enc(name)}`, def);
  }
  deleteInventoryClass(name: string) {
    return this.request<void>('DELETE', `/inventory-classes/${enc(name)}`);
  }
  getClientSettings() {
    return this.request<ClientSettings>('GET', '/client-settings');
  }
  updateClientSettings(settings: Partial<ClientSettings>) {
    return this.request<ClientSettings>('PUT', '/client-settings', settings);
  }

  // ---- collections and queries ----
  listCollections() {
    return this.request<Collection[]>('GET', '/collections');
  }
  getCollection(idOrName: string) {
    return this.request<Collection>('GET', `/collections/${enc(idOrName)}`);
  }
  createCollection(def: CollectionDefinition) {
    return this.request<Collection>('POST', '/collections', def);
  }
  updateCollection(idOrName: string, def: CollectionDefinition) {
    return this.request<Collection>('PUT', `/collections/${enc(idOrName)}`, def);
  }
  deleteCollection(idOrName: string) {
    return this.request<void>('DELETE', `/collections/${enc(idOrName)}`);
  }
  collectionMembers(idOrName: string, q: { offset?: number; limit?: number } = {}) {
    return this.request<{ items: DeviceSummary[]; total: number }>(
      'GET',
      `/collections/${enc(idOrName)}/members`,
      undefined,
      q,
    );
  }
  collectionMembershipHistory(idOrName: string, q: { limit?: number; before?: string } = {}) {
    return this.request<MembershipChange[]>(
      'GET',
      `/collections/${enc(idOrName)}/membership-history`,
      undefined,
      q,
    );
  }
  collectionRevisions(idOrName: string) {
    return this.request<CollectionRevision[]>('GET', `/collections/${enc(idOrName)}/revisions`);
  }
  restoreCollectionRevision(idOrName: string, revision: number) {
    return this.request<Collection>(
      'POST',
      `/collections/${enc(idOrName)}/revisions/${revision}/restore`,
    );
  }
  /** Sends "fetch policy now" / "collect inventory now" to every member of a collection. */
  notifyCollection(idOrName: string, action: NudgeAction) {
    return this.request<CollectionActionResult>('POST', `/collections/${enc(idOrName)}/actions`, {
      action,
    });
  }
  evaluateCollection(idOrName: string) {
    return this.request<Collection>('POST', `/collections/${enc(idOrName)}/evaluate`);
  }
  previewCollection(req: CollectionPreviewRequest) {
    return this.request<CollectionPreview>('POST', '/collections/preview', req);
  }
  queryCompletions(className?: string) {
    return this.request<CompletionsResponse>('GET', '/queries/completions', undefined, {
      class: className,
    });
  }
  validateQuery(query: string) {
    return this.request<{ ok: true }>('POST', '/queries/validate', { query });
  }

  // ---- status and monitoring ----
  listStatusMessages(q: ListStatusMessagesQuery = {}) {
    return this.request<{ items: StatusMessage[]; nextCursor: string | null }>(
      'GET',
      '/status-messages',
      undefined,
      q,
    );
  }
  statusCatalog() {
    return this.request<CatalogEntry[]>('GET', '/status-catalog');
  }
  clientActivity(q: { collection?: string; days?: number } = {}) {
    return this.request<ClientActivity>('GET', '/monitoring/client-activity', undefined, q);
  }
  listAudit(q: { limit?: number; before?: string; targetType?: string; targetId?: string } = {}) {
    return this.request<AuditEntry[]>('GET', '/audit-log', undefined, q);
  }
}
