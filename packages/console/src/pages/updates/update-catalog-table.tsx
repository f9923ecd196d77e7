import { Anchor, Select, Stack, Table, Text, Title } from '@mantine/core';
import { IconShieldCheck } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import {
  ops,
  type ListUpdatesQuery,
  type SoftwareUpdate,
  UPDATE_SEVERITY_ORDER,
} from '@steward/protocol';
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api } from '../../api/client';
import { DataTable } from '../../components/data-table';
import { ExportButton } from '../../components/export-button';
import {
  ChoiceFilter,
  FilteredList,
  SegmentFilter,
  TextFilter,
  useListPage,
} from '../../components/filtered-list';
import { RelativeTime } from '../../components/relative-time';
import { SelectRowTd, useRowSelection, type RowSelection } from '../../components/row-selection';
import { CustomUpdatesList } from './custom/custom-updates-list';
import { AddToGroupBar } from './add-to-group-bar';
import { UPDATES_KEY } from './update-sources-panel';
import { ClassSeverityCells, IdLinks } from './update-labels';

type Filters = Omit<ListUpdatesQuery, 'offset' | 'limit'>;

const STATES = ['current', 'superseded', 'expired'] as const;
const CLASSES = ['security', 'updates', 'other'] as const;

function pick<T extends string>(all: readonly T[], v: string | null): T | undefined {
  return all.find((x) => x === v);
}

/**
 * The catalog's filters, kept in the address (`?cve=CVE-…&severity=high`), so the compliance
 * dashboard and the CVE view link straight to a filtered list. `state` defaults to current.
 */
function useCatalogFilters(): [Filters, (patch: Record<string, string | null>) => void] {
  const [params, setParams] = useSearchParams();
  const state = params.get('state');
  const filters: Filters = {
    ...(params.get('search') ? { search: params.get('search') ?? '' } : {}),
    ...(pick(CLASSES, params.get('classification'))
      ? { classification: pick(CLASSES, params.get('classification')) }
      : {}),
    ...(state === 'all' ? {} : { state: pick(STATES, state) ?? 'current' }),
    ...(pick(UPDATE_SEVERITY_ORDER, params.get('severity'))
      ? { severity: pick(UPDATE_SEVERITY_ORDER, params.get('severity')) }
      : {}),
    ...(params.get('cve') ? { cve: params.get('cve') ?? '' } : {}),
    ...(params.get('advisory') ? { advisory: params.get('advisory') ?? '' } : {}),
    ...(params.get('source') ? { sourceId: params.get('source') ?? '' } : {}),
  };
  const set = (patch: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || v === '') next.delete(k);
      else next.set(k, v);
    }
    setParams(next, { replace: true });
  };
  return [filters, set];
}

function CatalogFilters(props: {
  filters: Filters;
  set: (patch: Record<string, string | null>) => void;
}) {
  const { filters, set } = props;
  const sources = useQuery({
    queryKey: [UPDATES_KEY, 'sources'],
    queryFn: () => api.call(ops.updateCatalog.listSources, {}),
  });
  return (
    <>
      <TextFilter
        search
        placeholder="Source or binary package…"
        value={filters.search ?? ''}
        onChange={(search) => set({ search })}
        w={240}
        testId="update-search"
      />
      <TextFilter
        placeholder="CVE id"
        value={filters.cve ?? ''}
        onChange={(cve) => set({ cve })}
        w={160}
        testId="update-filter-cve"
      />
      <ChoiceFilter
        placeholder="Any class"
        choices={CLASSES}
        value={filters.classification}
        onChange={(v) => set({ classification: v ?? null })}
        w={140}
        testId="update-filter-classification"
      />
      <ChoiceFilter
        placeholder="Any severity"
        choices={UPDATE_SEVERITY_ORDER}
        value={filters.severity}
        onChange={(v) => set({ severity: v ?? null })}
        w={140}
        testId="update-filter-severity"
      />
      <Select
        placeholder="Any source"
        data={(sources.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))}
        value={filters.sourceId ?? null}
        onChange={(v) => set({ source: v })}
        clearable
        w={170}
        data-testid="update-filter-source"
      />
      <Select
        data={[
          { value: 'current', label: 'Current' },
          { value: 'superseded', label: 'Superseded' },
          { value: 'expired', label: 'Expired' },
          { value: 'all', label: 'All states' },
        ]}
        value={filters.state ?? 'all'}
        onChange={(v) => set({ state: v === 'current' ? null : v })}
        allowDeselect={false}
        w={130}
        data-testid="update-filter-state"
      />
      {filters.advisory && (
        <Text size="sm">
          Fixed by advisory <b>{filters.advisory}</b>{' '}
          <Anchor component="button" size="sm" onClick={() => set({ advisory: null })}>
            (clear)
          </Anchor>
        </Text>
      )}
    </>
  );
}

/**
 * Updates as the catalog lists them (package and binaries, version, classification, severity,
 * CVEs, source, first seen, and in the catalog the devices' installed and required counts), with a selection column when `selection` is given: the catalog and
 * a rule's preview show the same rows.
 */
export function UpdatesTable(props: {
  items: readonly SoftwareUpdate[] | undefined;
  loading: boolean;
  testId: string;
  selection?: RowSelection<never>;
  /** The devices' installed and required counts (the catalog list carries them). */
  counts?: boolean;
}) {
  return (
    <DataTable
      testId={props.testId}
      loading={props.loading}
      minWidth={960}
      selection={props.selection}
      columns={[
        { label: 'Package' },
        { label: 'Version' },
        { label: 'Classification' },
        { label: 'Severity' },
        { label: 'CVEs' },
        { label: 'Source' },
        { label: 'Published' },
        ...(props.counts
          ? [
              { label: 'Installed', ta: 'right' as const },
              { label: 'Required', ta: 'right' as const },
            ]
          : []),
      ]}
    >
      {props.items?.map((u) => (
        <Table.Tr key={u.id} data-testid="update-row" data-package={u.package}>
          {props.selection && (
            <SelectRowTd
              selection={props.selection}
              id={u.id}
              label={`${u.package} ${u.version}`}
            />
          )}
          <Table.Td>
            <Anchor
              component={Link}
              to={`/software/updates/${encodeURIComponent(u.id)}`}
              fw={600}
              size="sm"
              data-testid="update-link"
            >
              {u.package}
            </Anchor>
            <Text size="xs" c="dimmed" lineClamp={1}>
              {u.binaries.map((b) => b.package).join(', ')}
            </Text>
          </Table.Td>
          <Table.Td>
            <Text ff="monospace" size="sm">
              {u.version}
            </Text>
            {(u.supersededAt || u.expired) && (
              <Text size="xs" c="dimmed">
                {u.expired ? 'expired' : 'superseded'}
              </Text>
            )}
          </Table.Td>
          <ClassSeverityCells classification={u.classification} severity={u.severity} />
          <Table.Td>
            <IdLinks ids={u.cves} kind="cve" max={2} />
          </Table.Td>
          <Table.Td>{u.sourceName}</Table.Td>
          <Table.Td data-testid="update-published">
            <RelativeTime iso={u.publishedAt} size="sm" />
            {u.revision > 0 && (
              <Text size="xs" c="dimmed">
                revision {u.revision}
              </Text>
            )}
          </Table.Td>
          {props.counts && (
            <>
              <Table.Td ta="right" data-testid="update-installed">
                {(u.installed ?? 0).toLocaleString()}
              </Table.Td>
              <Table.Td ta="right" data-testid="update-required">
                <Text
                  size="sm"
                  fw={u.required ? 700 : undefined}
                  c={u.required ? 'red' : undefined}
                >
                  {(u.required ?? 0).toLocaleString()}
                </Text>
              </Table.Td>
            </>
          )}
        </Table.Tr>
      ))}
    </DataTable>
  );
}

/** The apt (catalog) updates, filtered, selected and exported. */
function AptUpdatesList() {
  const [filters, set] = useCatalogFilters();
  const [page, setPage] = useListPage(JSON.stringify(filters));
  const query: ListUpdatesQuery = { ...filters, ...page };
  const updates = useQuery({
    queryKey: [UPDATES_KEY, query],
    queryFn: () => api.call(ops.updateCatalog.listUpdates, { query }),
    placeholderData: keepPreviousData,
  });
  const items = updates.data?.items;
  const pageIds = useMemo(() => (items ?? []).map((u) => u.id), [items]);
  const total = updates.data?.total ?? 0;
  // Explicit ids only: a group takes at most 1000 updates a request, so "every match" is not offered.
  const selection = useRowSelection<never>({ pageIds, total });
  return (
    <FilteredList
      filters={<CatalogFilters filters={filters} set={set} />}
      actions={<ExportButton op={ops.exports.updates} filters={filters} testId="updates-export" />}
      between={<AddToGroupBar selection={selection} noun="updates" />}
      query={updates}
      what="the updates"
      empty={{
        icon: <IconShieldCheck size={26} />,
        title: 'No updates match',
        description:
          'Updates appear here when a source has synced. Change the filters, or sync a source.',
      }}
      page={page}
      onPage={setPage}
      pagerTestId="updates-pager"
    >
      <UpdatesTable
        testId="updates-table"
        items={items}
        loading={updates.isPending}
        selection={selection}
        counts
      />
    </FilteredList>
  );
}

type Kind = 'apt' | 'custom' | 'all';
const KINDS: readonly { value: Kind; label: string }[] = [
  { value: 'apt', label: 'Apt updates' },
  { value: 'custom', label: 'Custom updates' },
  { value: 'all', label: 'All' },
];

/**
 * Software library > Software updates: the update catalog. Its kind (`?kind=`, apt by default)
 * shows the apt updates synced from sources, the administrator's custom updates (ADR 0074), or
 * both lists one above the other (each pages and filters on its own, as their APIs do).
 */
export function UpdateCatalogTable() {
  const [params, setParams] = useSearchParams();
  const kind = KINDS.find((k) => k.value === params.get('kind'))?.value ?? 'apt';
  const setKind = (k: Kind) => {
    const next = new URLSearchParams(params);
    if (k === 'apt') next.delete('kind');
    else next.set('kind', k);
    setParams(next, { replace: true });
  };
  return (
    <Stack gap="sm">
      <SegmentFilter choices={KINDS} value={kind} onChange={setKind} testId="update-filter-kind" />
      {kind === 'all' && <Title order={5}>Apt updates</Title>}
      {kind !== 'custom' && <AptUpdatesList />}
      {kind === 'all' && <Title order={5}>Custom updates</Title>}
      {kind !== 'apt' && <CustomUpdatesList />}
    </Stack>
  );
}
