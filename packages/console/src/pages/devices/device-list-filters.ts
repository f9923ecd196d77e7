import {
  DEFAULT_DEVICE_COLUMNS,
  DeviceSort,
  INVENTORY_COLUMN_PATTERN,
  MAX_DEVICE_COLUMNS,
  parseDeviceColumn,
  splitColumnList,
  type DeviceListSort,
  type ListDevicesQuery,
  type ViewDensity,
  type ViewState,
} from '@steward/protocol';
import { useSearchParams } from 'react-router-dom';

export type StatusFilter = NonNullable<ListDevicesQuery['status']>;
const STATUSES: readonly StatusFilter[] = ['active', 'inactive', 'online', 'obsolete', 'revoked'];
const SORTS: readonly DeviceSort[] = DeviceSort.anyOf.map((l) => l.const);
const INVENTORY_SORT = new RegExp(INVENTORY_COLUMN_PATTERN);

export interface DeviceListState {
  search: string;
  status: StatusFilter | undefined;
  collection: string | undefined;
  sort: DeviceListSort;
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
  /** Column ids of the catalogue, in order (ADR 0034). */
  columns: string[];
  density: ViewDensity;
  /** The saved view this state came from (its id), if any. */
  view: string | undefined;
}

/** Every address key the list owns: the rest of the address (a page's tab) is left alone. */
const KEYS = [
  'q',
  'status',
  'collection',
  'sort',
  'order',
  'offset',
  'limit',
  'cols',
  'density',
  'view',
];

export function parseStatus(v: string | null): StatusFilter | undefined {
  return STATUSES.find((s) => s === v);
}
export function parseSort(v: string | null | undefined): DeviceListSort {
  if (v && INVENTORY_SORT.test(v)) return v;
  return SORTS.find((s) => s === v) ?? 'name';
}
function parseInt0(v: string | null, fallback: number, max: number): number {
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 && v !== null ? Math.min(n, max) : fallback;
}
/** Column ids from the address: unknown shapes are dropped, an empty list is the default. */
export function parseColumns(v: string | null): string[] {
  const ids = splitColumnList(v ?? '')
    .filter((id) => parseDeviceColumn(id) !== undefined)
    .slice(0, MAX_DEVICE_COLUMNS);
  return ids.length > 0 ? [...new Set(ids)] : [...DEFAULT_DEVICE_COLUMNS];
}
const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

export function stateOfParams(params: URLSearchParams): DeviceListState {
  return {
    search: params.get('q') ?? '',
    status: parseStatus(params.get('status')),
    collection: params.get('collection') ?? undefined,
    sort: parseSort(params.get('sort')),
    order: params.get('order') === 'desc' ? 'desc' : 'asc',
    offset: parseInt0(params.get('offset'), 0, 10_000_000),
    limit: parseInt0(params.get('limit'), 50, 1000) || 50,
    columns: parseColumns(params.get('cols')),
    density: params.get('density') === 'compact' ? 'compact' : 'comfortable',
    view: params.get('view') ?? undefined,
  };
}

/** The address of a state: only what differs from the defaults, so links stay short. */
export function writeParams(base: URLSearchParams, s: DeviceListState): URLSearchParams {
  const p = new URLSearchParams(base);
  for (const k of KEYS) p.delete(k);
  if (s.view) p.set('view', s.view);
  if (s.search) p.set('q', s.search);
  if (s.status) p.set('status', s.status);
  if (s.collection) p.set('collection', s.collection);
  if (s.sort !== 'name') p.set('sort', s.sort);
  if (s.order !== 'asc') p.set('order', s.order);
  if (s.offset) p.set('offset', String(s.offset));
  if (s.limit !== 50) p.set('limit', String(s.limit));
  if (!sameList(s.columns, DEFAULT_DEVICE_COLUMNS)) p.set('cols', s.columns.join(','));
  if (s.density !== 'comfortable') p.set('density', s.density);
  return p;
}

/** True when the address names no list state at all (a bare /devices: the default view applies). */
export function hasListParams(params: URLSearchParams): boolean {
  return KEYS.some((k) => params.has(k));
}

/** What a saved view stores of a list state (ADR 0034). */
export function viewStateOf(s: DeviceListState): ViewState {
  return {
    columns: s.columns,
    ...(s.search ? { search: s.search } : {}),
    ...(s.status ? { status: s.status } : {}),
    ...(s.collection ? { collection: s.collection } : {}),
    ...(s.sort !== 'name' ? { sort: s.sort } : {}),
    ...(s.order !== 'asc' ? { order: s.order } : {}),
    ...(s.density !== 'comfortable' ? { density: s.density } : {}),
    ...(s.limit !== 50 ? { limit: s.limit } : {}),
  };
}

/** A list state from a saved view. */
export function stateOfView(v: ViewState, viewId: string | undefined): DeviceListState {
  return {
    search: v.search ?? '',
    status: v.status,
    collection: v.collection,
    sort: v.sort ?? 'name',
    order: v.order ?? 'asc',
    offset: 0,
    limit: v.limit ?? 50,
    columns: v.columns.length > 0 ? [...v.columns] : [...DEFAULT_DEVICE_COLUMNS],
    density: v.density ?? 'comfortable',
    view: viewId,
  };
}

/** Whether the list shows what its saved view holds (else the view menu offers to update it). */
export function matchesView(s: DeviceListState, v: ViewState): boolean {
  const a = viewStateOf(s);
  return JSON.stringify(a) === JSON.stringify(viewStateOf(stateOfView(v, undefined)));
}

/** Moves the item at `from` one place up (-1) or down (+1). */
export function moveColumn(columns: readonly string[], from: number, by: -1 | 1): string[] {
  const to = from + by;
  const next = [...columns];
  const a = next[from];
  const b = next[to];
  if (a === undefined || b === undefined) return next;
  next[from] = b;
  next[to] = a;
  return next;
}

/**
 * A change of the list's state: the fields to set, or a function of the state as the address holds
 * it now, for a change that edits a field (a column moved or removed) rather than replacing it: an
 * edit computed from what a render saw would undo a change made just before that render came.
 */
export type DeviceListPatch =
  Partial<DeviceListState> | ((current: DeviceListState) => Partial<DeviceListState>);

/**
 * The list's filters, columns, sort and density live in the address, so a list can be bookmarked
 * and shared by link (ADR 0034), and survives a reload. Used by the device list and by a
 * collection's members tab.
 */
export function useDeviceListState(): [
  DeviceListState,
  (patch: DeviceListPatch) => void,
  (next: DeviceListState) => void,
] {
  const [params, setParams] = useSearchParams();
  // A change patches the address as it is NOW (the router commits a navigation's render later,
  // in a transition): two quick changes (a column, then the search box's debounce) must not
  // write back each other's state from a render that had not seen the first yet.
  const current = () => new URLSearchParams(window.location.search);
  const state = stateOfParams(params);
  const replace = (next: DeviceListState) =>
    setParams(writeParams(current(), next), { replace: true });
  const update = (change: DeviceListPatch) => {
    const now = stateOfParams(current());
    const patch = typeof change === 'function' ? change(now) : change;
    const next = { ...now, ...patch };
    // Any change of filter or order returns to the first page.
    if (!('offset' in patch)) next.offset = 0;
    replace(next);
  };
  return [state, update, replace];
}
