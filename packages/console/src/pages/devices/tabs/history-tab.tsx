import { ExportButton } from '../../../components/export-button';
import {
  Badge,
  Button,
  Collapse,
  Group,
  Paper,
  Select,
  Stack,
  Text,
  Timeline,
  UnstyledButton,
} from '@mantine/core';
import {
  IconChevronDown,
  IconChevronRight,
  IconHistory,
  IconMinus,
  IconPlus,
} from '@tabler/icons-react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { pagedByLastId } from '../../../lib/paging';
import {
  inventoryClassLabel,
  type DeviceDetail,
  type InventoryChange,
  ops,
} from '@steward/protocol';
import { useState } from 'react';
import { api } from '../../../api/client';
import { EmptyState } from '../../../components/empty-state';
import { ErrorState } from '../../../components/error-state';
import { RelativeTime } from '../../../components/relative-time';
import { BlockSkeleton } from '../../../components/table-skeleton';
import { instanceLabel } from '../../../lib/inventory-values';

const PAGE = 50;

function ChangeItem({ change }: { change: InventoryChange }) {
  const [open, setOpen] = useState(false);
  const show = (label: string, n: number) => `${n} ${label}`;
  return (
    <Stack gap={4}>
      <UnstyledButton onClick={() => setOpen((o) => !o)} data-testid="history-change">
        <Group gap={8} wrap="nowrap">
          {open ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
          <Badge variant="light" color="indigo" size="sm" title={change.className}>
            {inventoryClassLabel(change.className)}
          </Badge>
          {change.added.length > 0 && (
            <Badge variant="light" color="teal" size="sm" leftSection={<IconPlus size={10} />}>
              {show('added', change.added.length)}
            </Badge>
          )}
          {change.removed.length > 0 && (
            <Badge variant="light" color="red" size="sm" leftSection={<IconMinus size={10} />}>
              {show('removed', change.removed.length)}
            </Badge>
          )}
        </Group>
      </UnstyledButton>
      <Collapse in={open}>
        <Paper p="xs" withBorder={false} bg="var(--mantine-color-default-hover)">
          <Stack gap={2}>
            {change.added.slice(0, 200).map((i, n) => (
              <Text key={`a${n}`} size="xs" className="steward-mono" c="teal">
                + {instanceLabel(change.className, i)}
              </Text>
            ))}
            {change.removed.slice(0, 200).map((i, n) => (
              <Text key={`r${n}`} size="xs" className="steward-mono" c="red">
                − {instanceLabel(change.className, i)}
              </Text>
            ))}
            {change.added.length + change.removed.length > 400 && (
              <Text size="xs" c="dimmed">
                … and more
              </Text>
            )}
          </Stack>
        </Paper>
      </Collapse>
    </Stack>
  );
}

/** Inventory changes over time: what was added and removed, per class. */
export function HistoryTab({ device }: { device: DeviceDetail }) {
  const [className, setClassName] = useState<string | null>(null);
  const history = useInfiniteQuery({
    queryKey: ['device', device.id, 'history', className],
    queryFn: ({ pageParam }) =>
      api.deviceHistory(device.id, {
        className: className ?? undefined,
        limit: PAGE,
        before: pageParam,
      }),
    ...pagedByLastId(PAGE),
  });
  const changes = history.data?.pages.flat() ?? [];
  // One timeline entry per report: changes to several classes at the same time belong together.
  const reports: { at: string; changes: InventoryChange[] }[] = [];
  for (const c of changes) {
    const last = reports[reports.length - 1];
    if (last && last.at === c.at) last.changes.push(c);
    else reports.push({ at: c.at, changes: [c] });
  }
  const classes = ['package', ...Object.keys(device.inventory)]
    .filter((c, i, all) => all.indexOf(c) === i)
    .map((c) => ({ value: c, label: inventoryClassLabel(c) }))
    .sort((a, b) => a.label.localeCompare(b.label));

  return (
    <Stack gap="md" data-testid="history-tab">
      <Group>
        <Select
          placeholder="All classes"
          clearable
          data={classes}
          value={className}
          onChange={setClassName}
          w={220}
          size="sm"
        />
        <Text size="sm" c="dimmed">
          Each inventory report that changed something is kept, newest first.
        </Text>
        <ExportButton
          op={ops.exports.deviceInventoryHistory}
          params={{ id: device.id }}
          filters={{ className: className ?? undefined }}
          testId="inventory-history-export"
        />
      </Group>
      {history.isPending ? (
        <BlockSkeleton lines={6} />
      ) : history.isError ? (
        <ErrorState error={history.error} what="the inventory history" />
      ) : changes.length === 0 ? (
        <EmptyState
          icon={<IconHistory size={24} />}
          title="No inventory changes recorded"
          description="Changes appear after the device's second inventory report: the first one is the baseline."
          compact
        />
      ) : (
        <Timeline bulletSize={18} lineWidth={2} active={reports.length}>
          {reports.map((r) => (
            <Timeline.Item
              key={r.at}
              bullet={<IconHistory size={10} />}
              title={<RelativeTime iso={r.at} fw={600} />}
            >
              <Stack gap={4}>
                {r.changes.map((c) => (
                  <ChangeItem key={c.id} change={c} />
                ))}
              </Stack>
            </Timeline.Item>
          ))}
        </Timeline>
      )}
      {history.hasNextPage && (
        <Button
          variant="default"
          onClick={() => void history.fetchNextPage()}
          loading={history.isFetchingNextPage}
          w={160}
        >
          Load older
        </Button>
      )}
    </Stack>
  );
}
