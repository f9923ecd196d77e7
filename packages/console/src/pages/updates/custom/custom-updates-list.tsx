import { Anchor, Button, Group, Table, Text } from '@mantine/core';
import { IconPlus, IconPuzzle } from '@tabler/icons-react';
import { keepPreviousData, useQueries, useQuery } from '@tanstack/react-query';
import { ops, type CustomUpdate, type ListCustomUpdatesQuery } from '@steward/protocol';
import { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../../api/client';
import { DataTable } from '../../../components/data-table';
import { FilteredList, TextFilter, useListPage } from '../../../components/filtered-list';
import { RatioBar } from '../../../components/ratio-bar';
import { RelativeTime } from '../../../components/relative-time';
import { SelectRowTd, useRowSelection, type RowSelection } from '../../../components/row-selection';
import { ExportButton } from '../../../components/export-button';
import { useSession } from '../../../session/session-context';
import { AddToGroupBar } from '../add-to-group-bar';
import { ClassSeverityCells } from '../update-labels';
import { CUSTOM_UPDATES_KEY, customUpdatePath, describeRuleSet } from './custom-update-labels';

/** A custom update's machines from their scans: installed of those that need or have it. */
export function useCustomCompliance(ids: readonly string[]) {
  return useQueries({
    queries: ids.map((id) => ({
      queryKey: [CUSTOM_UPDATES_KEY, id, 'compliance'],
      queryFn: () => api.call(ops.customUpdates.customUpdateCompliance, { params: { id } }),
    })),
  });
}

/**
 * Custom updates as the catalog lists them: title, vendor and product, version, classification,
 * severity, the detection rules in words, installed / required machines, last change.
 */
function CustomUpdatesTable(props: {
  items: readonly CustomUpdate[] | undefined;
  loading: boolean;
  selection: RowSelection<never>;
}) {
  const ids = useMemo(() => (props.items ?? []).map((u) => u.id), [props.items]);
  const compliance = useCustomCompliance(ids);
  return (
    <DataTable
      testId="custom-updates-table"
      loading={props.loading}
      minWidth={960}
      selection={props.selection}
      columns={[
        { label: 'Update' },
        { label: 'Version' },
        { label: 'Classification' },
        { label: 'Severity' },
        { label: 'Installed / applicable', w: 200 },
        { label: 'Required', ta: 'right' },
        { label: 'Changed' },
      ]}
    >
      {props.items?.map((u, i) => {
        const c = compliance[i]?.data?.counts;
        return (
          <Table.Tr key={u.id} data-testid="custom-update-row" data-title={u.title}>
            <SelectRowTd selection={props.selection} id={u.id} label={u.title} />
            <Table.Td>
              <Anchor
                component={Link}
                to={customUpdatePath(u.id)}
                fw={600}
                size="sm"
                data-testid="custom-update-link"
              >
                {u.title}
              </Anchor>
              <Text size="xs" c="dimmed" lineClamp={1}>
                {u.vendor} · {u.product} — {describeRuleSet(u.detection)}
              </Text>
            </Table.Td>
            <Table.Td>
              <Text ff="monospace" size="sm">
                {u.version}
              </Text>
            </Table.Td>
            <ClassSeverityCells classification={u.classification} severity={u.severity} />
            <Table.Td>
              {c && <RatioBar done={c.installed} total={c.installed + c.required} />}
            </Table.Td>
            <Table.Td ta="right" data-testid="custom-update-required">
              {c ? c.required.toLocaleString() : ''}
            </Table.Td>
            <Table.Td>
              <RelativeTime iso={u.updatedAt} size="sm" />
            </Table.Td>
          </Table.Tr>
        );
      })}
    </DataTable>
  );
}

/** The catalog's custom updates (`?kind=custom`): searched, paged, added to groups, created. */
export function CustomUpdatesList() {
  const { can } = useSession();
  const [search, setSearch] = useState('');
  const [page, setPage] = useListPage(search);
  const query: ListCustomUpdatesQuery = { ...(search ? { search } : {}), ...page };
  const list = useQuery({
    queryKey: [CUSTOM_UPDATES_KEY, 'list', query],
    queryFn: () => api.call(ops.customUpdates.listCustomUpdates, { query }),
    placeholderData: keepPreviousData,
  });
  const items = list.data?.items;
  const pageIds = useMemo(() => (items ?? []).map((u) => u.id), [items]);
  const selection = useRowSelection<never>({ pageIds, total: list.data?.total ?? 0 });
  return (
    <FilteredList
      filters={
        <TextFilter
          search
          placeholder="Title, vendor or product…"
          value={search}
          onChange={setSearch}
          w={260}
          testId="custom-update-search"
        />
      }
      actions={
        <Group gap="xs" wrap="nowrap">
          <ExportButton
            op={ops.exports.customUpdates}
            filters={search ? { search } : {}}
            testId="custom-updates-export"
          />
          {can('software:write') && (
            <Button
              component={Link}
              to="/software/custom-updates/new"
              leftSection={<IconPlus size={16} />}
              data-testid="custom-update-new"
            >
              New custom update
            </Button>
          )}
        </Group>
      }
      between={<AddToGroupBar selection={selection} noun="custom updates" custom />}
      query={list}
      what="the custom updates"
      empty={{
        icon: <IconPuzzle size={26} />,
        title: search ? 'No custom updates match' : 'No custom updates yet',
        description:
          'A custom update is a third-party update the agents recognise by its detection rules and install with a program of the content library.',
      }}
      page={page}
      onPage={setPage}
      pagerTestId="custom-updates-pager"
    >
      <CustomUpdatesTable items={items} loading={list.isPending} selection={selection} />
    </FilteredList>
  );
}
