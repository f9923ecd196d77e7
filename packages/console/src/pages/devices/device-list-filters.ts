import type { DeviceSort, ListDevicesQuery } from '@steward/protocol';
import { useSearchParams } from 'react-router-dom';

export type StatusFilter = NonNullable<ListDevicesQuery['status']>;
const STATUSES: readonly StatusFilter[] = ['active', 'inactive', 'online', 'obsolete', 'revoked'];
const SORTS: readonly DeviceSort[] = [
  'name',
  'os',
  'machineType',
  'lastContact',
  'enrolledAt',
  'memory',
];

export interface DeviceListState {
  search: string;
  status: StatusFilter | undefined;
  collection: string | undefined;
  sort: DeviceSort;
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
}

export function parseStatus(v: string | null): StatusFilter | undefined {
  return STATUSES.find((s) => s === v);
}
function parseSort(v: string | null): DeviceSort {
  return SORTS.find((s) => s === v) ?? 'name';
}
function parseInt0(v: string | null, fallback: number, max: number): number {
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 && v !== null ? Math.min(n, max) : fallback;
}

/** The list's filters live in the address, so a filtered view can be bookmarked and shared. */
export function useDeviceListState(): [DeviceListState, (patch: Partial<DeviceListState>) => void] {
  const [params, setParams] = useSearchParams();
  const state: DeviceListState = {
    search: params.get('q') ?? '',
    status: parseStatus(params.get('status')),
    collection: params.get('collection') ?? undefined,
    sort: parseSort(params.get('sort')),
    order: params.get('order') === 'desc' ? 'desc' : 'asc',
    offset: parseInt0(params.get('offset'), 0, 10_000_000),
    limit: parseInt0(params.get('limit'), 50, 1000) || 50,
  };
  const update = (patch: Partial<DeviceListState>) => {
    const next = { ...state, ...patch };
    // Any change of filter or order returns to the first page.
    if (!('offset' in patch)) next.offset = 0;
    const p = new URLSearchParams();
    if (next.search) p.set('q', next.search);
    if (next.status) p.set('status', next.status);
    if (next.collection) p.set('collection', next.collection);
    if (next.sort !== 'name') p.set('sort', next.sort);
    if (next.order !== 'asc') p.set('order', next.order);
    if (next.offset) p.set('offset', String(next.offset));
    if (next.limit !== 50) p.set('limit', String(next.limit));
    setParams(p, { replace: true });
  };
  return [state, update];
}
