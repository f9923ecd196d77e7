import { ExportButton } from '../../components/export-button';
import {
  Anchor,
  Badge,
  Button,
  Collapse,
  Group,
  Paper,
  SegmentedControl,
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
  IconHistory,
  IconMinus,
  IconPlus,
  IconSearch,
} from '@tabler/icons-react';
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { ops, type MembershipChange } from '@steward/protocol';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { RelativeTime } from '../../components/relative-time';
import { BlockSkeleton } from '../../components/table-skeleton';
import { formatDateTime } from '../../lib/format';
import { pagedByLastId } from '../../lib/paging';
import { groupByEvaluation, type EvaluationGroup } from './membership-groups';

const PAGE = 200;

type ChangeFilter = 'all' | 'added' | 'removed';

function ChangeRows({ changes }: { changes: readonly MembershipChange[] }) {
  return changes.map((c) => (
    <Table.Tr key={c.id} data-testid="membership-change">
      <Table.Td w={120}>
        <Badge
          color={c.change === 'added' ? 'teal' : 'red'}
          variant="light"
          leftSection={c.change === 'added' ? <IconPlus size={11} /> : <IconMinus size={11} />}
        >
          {c.change}
        </Badge>
      </Table.Td>
      <Table.Td>
        <Anchor component={Link} to={`/devices/${encodeURIComponent(c.deviceId)}`} size="sm">
          {c.deviceName}
        </Anchor>
      </Table.Td>
    </Table.Tr>
  ));
}

function EvaluationItem(props: { group: EvaluationGroup; defaultOpen: boolean }) {
  const { group: g } = props;
  const [open, setOpen] = useState(props.defaultOpen);
  return (
    <Paper withBorder p="xs" data-testid="membership-evaluation">
      <UnstyledButton
        onClick={() => setOpen((o) => !o)}
        w="100%"
        aria-expanded={open}
        data-testid="membership-evaluation-toggle"
      >
        <Group gap="sm" wrap="nowrap">
          {open ? <IconChevronDown size={16} /> : <IconChevronRight size={16} />}
          <Stack gap={0} miw={190}>
            <Text size="sm" fw={600}>
              {formatDateTime(g.at)}
            </Text>
            <RelativeTime iso={g.at} size="xs" c="dimmed" />
          </Stack>
          <Text size="sm" c="dimmed">
            {g.rulesChanged ? `Rules changed: revision #${g.revision}` : `Revision #${g.revision}`}
          </Text>
          <Group gap={6} ml="auto" wrap="nowrap">
            <Badge color="teal" variant="light" data-testid="membership-evaluation-added">
              added {g.added.length}
            </Badge>
            <Badge color="red" variant="light" data-testid="membership-evaluation-removed">
              removed {g.removed.length}
            </Badge>
          </Group>
        </Group>
      </UnstyledButton>
      <Collapse in={open}>
        <Table className="steward-table" mt="xs">
          <Table.Tbody>
            <ChangeRows changes={g.added} />
            <ChangeRows changes={g.removed} />
          </Table.Tbody>
        </Table>
      </Collapse>
    </Paper>
  );
}

/**
 * Who joined and left the collection, one group per evaluation run (time, rules revision,
 * added and removed counts), expandable, filtered by device name and by kind of change.
 */
export function CollectionHistoryTab({ collectionId }: { collectionId: string }) {
  const [search, setSearch] = useState('');
  const [device] = useDebouncedValue(search.trim(), 300);
  const [change, setChange] = useState<ChangeFilter>('all');
  const history = useInfiniteQuery({
    queryKey: ['collection', collectionId, 'membership-history', device, change],
    queryFn: ({ pageParam }) =>
      api.collectionMembershipHistory(collectionId, {
        limit: PAGE,
        before: pageParam,
        ...(device ? { device } : {}),
        ...(change !== 'all' ? { change } : {}),
      }),
    placeholderData: keepPreviousData,
    ...pagedByLastId(PAGE),
  });
  if (history.isError) return <ErrorState error={history.error} what="the membership history" />;
  const groups = groupByEvaluation(history.data?.pages.flat() ?? []);
  const filtered = device !== '' || change !== 'all';
  return (
    <Stack gap="sm" data-testid="membership-history">
      <Group>
        <TextInput
          placeholder="Device name"
          leftSection={<IconSearch size={14} />}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          w={260}
          aria-label="Filter by device name"
          data-testid="membership-history-device"
        />
        <SegmentedControl
          value={change}
          onChange={(v) => setChange(v === 'added' || v === 'removed' ? v : 'all')}
          data={[
            { value: 'all', label: 'All changes' },
            { value: 'added', label: 'Added' },
            { value: 'removed', label: 'Removed' },
          ]}
          data-testid="membership-history-change"
        />
        <Text size="sm" c="dimmed">
          One entry per evaluation that changed the membership, newest first.
        </Text>
        <ExportButton
          op={ops.exports.collectionMembershipHistory}
          params={{ id: collectionId }}
          filters={{
            device: device || undefined,
            change: change === 'all' ? undefined : change,
          }}
          testId="membership-history-export"
        />
      </Group>
      {history.isPending ? (
        <BlockSkeleton lines={6} />
      ) : groups.length === 0 ? (
        <EmptyState
          icon={<IconHistory size={24} />}
          title={filtered ? 'No change matches the filter' : 'No membership changes yet'}
          description={
            filtered
              ? 'Clear the device name or pick All changes.'
              : 'Every device that joins or leaves the collection is recorded here with the time and the rule revision.'
          }
          compact
        />
      ) : (
        groups.map((g, i) => (
          <EvaluationItem
            key={`${g.at}:${g.revision}`}
            group={g}
            defaultOpen={i === 0 || filtered}
          />
        ))
      )}
      {history.hasNextPage && (
        <Button
          variant="default"
          onClick={() => void history.fetchNextPage()}
          loading={history.isFetchingNextPage}
          w="fit-content"
        >
          Load older
        </Button>
      )}
    </Stack>
  );
}
