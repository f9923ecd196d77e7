import {
  Badge,
  Group,
  Paper,
  SegmentedControl,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch, IconShieldCheck } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { ops, type ListUpdatesQuery, type UpdateClassification } from '@steward/protocol';
import { useState } from 'react';
import { api } from '../../api/client';
import { DataTable } from '../../components/data-table';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { PageHeader } from '../../components/page-header';
import { Pager } from '../../components/pager';
import { RelativeTime } from '../../components/relative-time';
import { UPDATES_KEY, UpdateSourcesPanel } from './update-sources-panel';

const CLASS_COLOR: Record<UpdateClassification, string> = {
  security: 'red',
  updates: 'blue',
  other: 'gray',
};

type ClassFilter = UpdateClassification | 'all';
type StateFilter = 'current' | 'superseded' | 'all';

function UpdatesTable() {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 300);
  const [classification, setClassification] = useState<ClassFilter>('all');
  const [state, setState] = useState<StateFilter>('current');
  const [page, setPage] = useState({ offset: 0, limit: 50 });
  const query: ListUpdatesQuery = {
    ...(debounced ? { search: debounced } : {}),
    ...(classification !== 'all' ? { classification } : {}),
    ...(state !== 'all' ? { state } : {}),
    ...page,
  };
  const updates = useQuery({
    queryKey: [UPDATES_KEY, query],
    queryFn: () => api.call(ops.updateCatalog.listUpdates, { query }),
    placeholderData: keepPreviousData,
  });
  const total = updates.data?.total ?? 0;
  return (
    <Paper p="md">
      <Title order={4} mb="sm">
        Update catalog
      </Title>
      <Group gap="sm" mb="sm">
        <TextInput
          placeholder="Source or binary package…"
          leftSection={<IconSearch size={16} />}
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            setPage((p) => ({ ...p, offset: 0 }));
          }}
          w={280}
          data-testid="update-search"
        />
        <SegmentedControl
          size="sm"
          value={classification}
          onChange={(v) => {
            setClassification(v === 'security' || v === 'updates' || v === 'other' ? v : 'all');
            setPage((p) => ({ ...p, offset: 0 }));
          }}
          data={[
            { value: 'all', label: 'All classes' },
            { value: 'security', label: 'Security' },
            { value: 'updates', label: 'Updates' },
            { value: 'other', label: 'Other' },
          ]}
        />
        <SegmentedControl
          size="sm"
          value={state}
          onChange={(v) => {
            setState(v === 'current' || v === 'superseded' ? v : 'all');
            setPage((p) => ({ ...p, offset: 0 }));
          }}
          data={[
            { value: 'current', label: 'Current' },
            { value: 'superseded', label: 'Superseded' },
            { value: 'all', label: 'All' },
          ]}
        />
      </Group>
      {updates.isError && !updates.data ? (
        <ErrorState error={updates.error} what="the updates" />
      ) : !updates.isPending && total === 0 ? (
        <EmptyState
          icon={<IconShieldCheck size={26} />}
          title="No updates match"
          description="Updates appear here when a source has synced. Change the filters, or sync a source above."
          compact
        />
      ) : (
        <>
          <DataTable
            testId="updates-table"
            loading={updates.isPending}
            minWidth={900}
            columns={[
              { label: 'Package' },
              { label: 'Version' },
              { label: 'Classification' },
              { label: 'Source' },
              { label: 'Binaries' },
              { label: 'First seen' },
            ]}
          >
            {updates.data?.items.map((u) => (
              <Table.Tr key={u.id}>
                <Table.Td>
                  <Text fw={500}>{u.package}</Text>
                </Table.Td>
                <Table.Td>
                  <Text ff="monospace" size="sm">
                    {u.version}
                  </Text>
                  {u.supersededAt && (
                    <Text size="xs" c="dimmed">
                      superseded
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Badge color={CLASS_COLOR[u.classification]} variant="light">
                    {u.classification}
                  </Badge>
                </Table.Td>
                <Table.Td>{u.sourceName}</Table.Td>
                <Table.Td>
                  <Text size="sm" lineClamp={2}>
                    {u.binaries.map((b) => `${b.package} (${b.architecture})`).join(', ')}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <RelativeTime iso={u.firstSeenAt} size="sm" />
                </Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
          <Pager
            offset={page.offset}
            limit={page.limit}
            total={total}
            onChange={(offset, limit) => setPage({ offset, limit })}
            testId="updates-pager"
          />
        </>
      )}
    </Paper>
  );
}

/** Software library > Software updates: the update sources and the catalog they publish. */
export function UpdatesPage() {
  return (
    <>
      <PageHeader
        title="Software updates"
        description="Update sources (signed apt repositories) and the updates their syncs publish: one update per source package version."
      />
      <UpdateSourcesPanel />
      <UpdatesTable />
    </>
  );
}
