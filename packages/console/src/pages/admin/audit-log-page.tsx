import {
  Anchor,
  Badge,
  Button,
  Code,
  Collapse,
  Group,
  Paper,
  Select,
  Table,
  Text,
  UnstyledButton,
} from '@mantine/core';
import { IconChevronDown, IconChevronRight, IconShieldCheck } from '@tabler/icons-react';
import { useInfiniteQuery } from '@tanstack/react-query';
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

const PAGE = 100;
const TARGET_TYPES = [
  'user',
  'session',
  'device',
  'collection',
  'enrolment-token',
  'inventory-class',
  'client-settings',
];

/** Devices and collections link to their pages; other targets show their id. */
function AuditTarget({ entry }: { entry: AuditEntry }) {
  const to =
    entry.targetType === 'device'
      ? `/devices/${encodeURIComponent(entry.targetId)}`
      : entry.targetType === 'collection'
        ? `/collections/${encodeURIComponent(entry.targetId)}`
        : null;
  return to ? (
    <Anchor component={Link} to={to} size="xs" className="steward-mono">
      {entry.targetId}
    </Anchor>
  ) : (
    <Text span size="xs" className="steward-mono">
      {entry.targetId}
    </Text>
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

export function AuditLogPage() {
  const [targetType, setTargetType] = useState<string | null>(null);
  const audit = useInfiniteQuery({
    queryKey: ['audit-log', targetType],
    queryFn: ({ pageParam }) =>
      api.listAudit({ limit: PAGE, before: pageParam, targetType: targetType ?? undefined }),
    ...pagedByLastId(PAGE),
  });
  const entries = audit.data?.pages.flat() ?? [];
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change made through the console, the CLI and the API: who, what, when."
      />
      <Paper p="md">
        <Select
          placeholder="All targets"
          data={TARGET_TYPES}
          value={targetType}
          onChange={setTargetType}
          clearable
          w={220}
          mb="sm"
        />
        {audit.isError ? (
          <ErrorState error={audit.error} what="read the audit log" />
        ) : !audit.isPending && entries.length === 0 ? (
          <EmptyState
            icon={<IconShieldCheck size={24} />}
            title="Nothing recorded yet"
            description="Sign-ins, revocations, collection and user changes appear here."
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
