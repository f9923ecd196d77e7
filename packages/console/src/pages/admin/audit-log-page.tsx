import {
  Anchor,
  Badge,
  Button,
  Code,
  Collapse,
  Group,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  UnstyledButton,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import {
  IconChevronDown,
  IconChevronRight,
  IconSearch,
  IconShieldCheck,
} from '@tabler/icons-react';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { pagedByLastId } from '../../lib/paging';
import type { AuditEntry } from '@steward/protocol';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { PageHeader } from '../../components/page-header';
import { RelativeTime } from '../../components/relative-time';
import { TableSkeleton } from '../../components/table-skeleton';
import { formatDateTime } from '../../lib/format';
import { distributionPointPath } from './distribution-point-page';
import { ExportButton } from '../../components/export-button';
import { ops } from '@steward/protocol';

const PAGE = 100;

/** Where a target type's objects are shown: a page per object, or the page listing them. */
const TARGET_PAGES: Record<string, (id: string) => string> = {
  device: (id) => `/devices/${encodeURIComponent(id)}`,
  collection: (id) => `/collections/${encodeURIComponent(id)}`,
  package: (id) => `/software/packages/${encodeURIComponent(id)}`,
  deployment: (id) => `/deployments/${encodeURIComponent(id)}`,
  'phased-deployment': (id) => `/phased-deployments/${encodeURIComponent(id)}`,
  'distribution-point': (id) => distributionPointPath(id),
  'dp-group': () => '/admin/dp-groups',
  boundary: () => '/admin/boundaries',
  'boundary-group': () => '/admin/boundaries',
  user: () => '/admin/users',
  'enrolment-token': () => '/admin/enrolment-tokens',
  'inventory-class': () => '/admin/inventory-classes',
  'client-settings': () => '/admin/client-settings',
  'client-settings-object': () => '/admin/client-settings',
  'agent-version': () => '/admin/client-versions',
  'push-account': () => '/admin/client-push-settings',
  'push-host-key': () => '/admin/client-push-settings',
  'push-job': () => '/monitoring/client-push',
  'push-target': () => '/monitoring/client-push',
  'discovery-sweep': () => '/monitoring/discovery',
  'update-source': () => '/software/updates',
  view: (id) => `/devices?view=${encodeURIComponent(id)}`,
};

/** The target's name (now) linked to where it is shown, with its id beneath. */
function AuditTarget({ entry }: { entry: AuditEntry }) {
  const page = TARGET_PAGES[entry.targetType];
  const label = entry.targetName ?? entry.targetId;
  return (
    <Stack gap={0} style={{ display: 'inline-flex' }}>
      {page ? (
        <Anchor component={Link} to={page(entry.targetId)} size="sm" data-testid="audit-target">
          {label}
        </Anchor>
      ) : (
        <Text span size="sm" data-testid="audit-target">
          {label}
        </Text>
      )}
      {entry.targetName !== null && (
        <Text span size="xs" c="dimmed" className="steward-mono">
          {entry.targetId}
        </Text>
      )}
    </Stack>
  );
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  const [open, setOpen] = useState(false);
  const hasDetails =
    entry.details !== null && entry.details !== undefined && JSON.stringify(entry.details) !== '{}';
  return (
    <>
      <Table.Tr data-testid="audit-row">
        <Table.Td style={{ whiteSpace: 'nowrap' }}>
          <Text size="sm" span>
            {formatDateTime(entry.at)}
          </Text>{' '}
          <RelativeTime iso={entry.at} size="xs" c="dimmed" />
        </Table.Td>
        <Table.Td fw={600}>{entry.userName}</Table.Td>
        <Table.Td>
          <Code>{entry.action}</Code>
        </Table.Td>
        <Table.Td>
          <Badge size="sm" variant="light" color="gray">
            {entry.targetType}
          </Badge>{' '}
          <AuditTarget entry={entry} />
        </Table.Td>
        <Table.Td>
          {hasDetails && (
            <UnstyledButton onClick={() => setOpen((o) => !o)}>
              <Group gap={4}>
                {open ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
                <Text size="xs">details</Text>
              </Group>
            </UnstyledButton>
          )}
        </Table.Td>
      </Table.Tr>
      {hasDetails && (
        <Table.Tr>
          <Table.Td colSpan={5} p={0} style={{ borderBottom: open ? undefined : 0 }}>
            <Collapse in={open}>
              <Code block m="xs">
                {JSON.stringify(entry.details, null, 2)}
              </Code>
            </Collapse>
          </Table.Td>
        </Table.Tr>
      )}
    </>
  );
}

/** A date input's value (yyyy-mm-dd, local) as the start of that day in ISO-8601 UTC. */
function dayStart(day: string): string | undefined {
  if (day === '') return undefined;
  const t = new Date(`${day}T00:00:00`);
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString();
}

function nextDayStart(day: string): string | undefined {
  const start = dayStart(day);
  return start === undefined ? undefined : new Date(Date.parse(start) + 86400_000).toISOString();
}

export function AuditLogPage() {
  const [targetType, setTargetType] = useState<string | null>(null);
  const [user, setUser] = useState<string | null>(null);
  const [action, setAction] = useState<string | null>(null);
  const [fromDay, setFromDay] = useState('');
  const [toDay, setToDay] = useState('');
  const [search, setSearch] = useState('');
  const [text] = useDebouncedValue(search.trim(), 300);
  const facets = useQuery({ queryKey: ['audit-facets'], queryFn: () => api.auditFacets() });
  const filter = {
    targetType: targetType ?? undefined,
    user: user ?? undefined,
    action: action ?? undefined,
    from: dayStart(fromDay),
    to: nextDayStart(toDay),
    text: text === '' ? undefined : text,
  };
  const filtered = Object.values(filter).some((v) => v !== undefined);
  const audit = useInfiniteQuery({
    queryKey: ['audit-log', filter],
    queryFn: ({ pageParam }) => api.listAudit({ limit: PAGE, before: pageParam, ...filter }),
    ...pagedByLastId(PAGE),
  });
  const entries = audit.data?.pages.flat() ?? [];
  // Every action of a kind ("collection.") as well as each action.
  const kinds = [
    ...new Set((facets.data?.actions ?? []).map((a) => a.slice(0, a.indexOf('.') + 1))),
  ].filter((k) => k !== '');
  const actionOptions = [
    ...kinds.map((k) => ({ value: k, label: `${k}* (every ${k.slice(0, -1)} action)` })),
    ...(facets.data?.actions ?? []).map((a) => ({ value: a, label: a })),
  ];
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change made through the console, the CLI and the API: who, what, when."
        actions={<ExportButton op={ops.exports.auditLog} filters={filter} testId="audit-export" />}
      />
      <Paper p="md">
        <Group gap="sm" mb="sm" align="flex-end" wrap="wrap">
          <TextInput
            label="Search"
            placeholder="Action, user, target id, details"
            leftSection={<IconSearch size={14} />}
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            w={260}
            data-testid="audit-search"
          />
          <Select
            label="User"
            placeholder="Anyone"
            data={facets.data?.users ?? []}
            value={user}
            onChange={setUser}
            clearable
            searchable
            w={170}
            data-testid="audit-user"
          />
          <Select
            label="Action"
            placeholder="Any action"
            data={actionOptions}
            value={action}
            onChange={setAction}
            clearable
            searchable
            w={240}
            data-testid="audit-action"
          />
          <Select
            label="Target"
            placeholder="All targets"
            data={facets.data?.targetTypes ?? []}
            value={targetType}
            onChange={setTargetType}
            clearable
            w={190}
            data-testid="audit-target-type"
          />
          <TextInput
            label="From"
            type="date"
            value={fromDay}
            onChange={(e) => setFromDay(e.currentTarget.value)}
            w={150}
            data-testid="audit-from"
          />
          <TextInput
            label="To"
            type="date"
            value={toDay}
            onChange={(e) => setToDay(e.currentTarget.value)}
            w={150}
            data-testid="audit-to"
          />
        </Group>
        {audit.isError ? (
          <ErrorState error={audit.error} what="read the audit log" />
        ) : !audit.isPending && entries.length === 0 ? (
          <EmptyState
            icon={<IconShieldCheck size={24} />}
            title={filtered ? 'No entries match these filters' : 'Nothing recorded yet'}
            description={
              filtered
                ? 'Clear a filter or widen the dates.'
                : 'Sign-ins, revocations, collection and user changes appear here.'
            }
          />
        ) : (
          <Table.ScrollContainer minWidth={800}>
            <Table className="steward-table" data-testid="audit-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={290}>Time</Table.Th>
                  <Table.Th w={140}>User</Table.Th>
                  <Table.Th w={200}>Action</Table.Th>
                  <Table.Th>Target</Table.Th>
                  <Table.Th w={90} />
                </Table.Tr>
              </Table.Thead>
              {audit.isPending ? (
                <TableSkeleton columns={5} />
              ) : (
                <Table.Tbody>
                  {entries.map((e) => (
                    <AuditRow key={e.id} entry={e} />
                  ))}
                </Table.Tbody>
              )}
            </Table>
          </Table.ScrollContainer>
        )}
        {audit.hasNextPage && (
          <Button
            variant="default"
            mt="sm"
            onClick={() => void audit.fetchNextPage()}
            loading={audit.isFetchingNextPage}
          >
            Load older
          </Button>
        )}
      </Paper>
    </>
  );
}
