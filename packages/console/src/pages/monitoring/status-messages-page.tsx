import {
  Alert,
  Button,
  Code,
  Group,
  NumberInput,
  Paper,
  SegmentedControl,
  Select,
  Text,
  Tooltip,
} from '@mantine/core';
import {
  IconAlertTriangle,
  IconMessages,
  IconPlayerPause,
  IconPlayerPlay,
} from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import type { Severity, StatusMessage } from '@steward/protocol';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api } from '../../api/client';
import { errorCode, errorMessage } from '../../api/errors';
import { DeviceSelect } from '../../components/device-select';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { PageHeader } from '../../components/page-header';
import { formatTime } from '../../lib/format';
import { StatusMessageDrawer } from './status-message-drawer';
import { StatusMessageTable } from './status-message-table';
import { useLiveStatusMessages } from './use-live-status-messages';
import type { StatusFilters } from './use-live-status-messages';
import { ExportButton } from '../../components/export-button';
import { ops } from '@steward/protocol';

const RANGES: { value: string; label: string; minutes: number | null }[] = [
  { value: '15m', label: 'Last 15 minutes', minutes: 15 },
  { value: '1h', label: 'Last hour', minutes: 60 },
  { value: '24h', label: 'Last 24 hours', minutes: 24 * 60 },
  { value: '7d', label: 'Last 7 days', minutes: 7 * 24 * 60 },
  { value: '30d', label: 'Last 30 days', minutes: 30 * 24 * 60 },
  { value: 'all', label: 'All time', minutes: null },
];

function parseSeverity(v: string | null): Severity | undefined {
  return v === 'informational' || v === 'warning' || v === 'error' ? v : undefined;
}

export function StatusMessagesPage() {
  const [params, setParams] = useSearchParams();
  const [paused, setPaused] = useState(false);
  const [open, setOpen] = useState<StatusMessage | null>(null);
  const device = params.get('device');
  const component = params.get('component');
  const messageId = Number(params.get('messageId')) || undefined;
  const severity = parseSeverity(params.get('severity'));
  const range = RANGES.find((r) => r.value === params.get('range')) ?? RANGES[2];

  const set = (key: string, value: string | null | undefined) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };

  // `since` is fixed when the filters change, not on each render, so the live tail stays steady.
  const filters = useMemo<StatusFilters>(
    () => ({
      deviceId: device ?? undefined,
      component: component ?? undefined,
      messageId,
      severity,
      since: range?.minutes
        ? new Date(Date.now() - range.minutes * 60_000).toISOString()
        : undefined,
    }),
    [device, component, messageId, severity, range],
  );
  const live = useLiveStatusMessages(filters, paused);
  const catalog = useQuery({
    queryKey: ['status-catalog'],
    queryFn: () => api.statusCatalog(),
    staleTime: Infinity,
  });
  const components = [...new Set((catalog.data ?? []).map((e) => e.component))].sort();
  if (component && !components.includes(component)) components.push(component);
  const filtered = Boolean(device || component || messageId || severity);

  return (
    <>
      <PageHeader
        title="Status messages"
        description="What agents and site components report, as it happens. Click a message for its insertion strings and attributes."
        actions={
          <Group gap="sm">
            <Tooltip
              label={
                live.lastPollAt
                  ? `Last checked ${formatTime(live.lastPollAt.toISOString())}`
                  : 'Not checked yet'
              }
              withArrow
            >
              <Group gap={6}>
                <span className="steward-live-dot" data-paused={paused} />
                <Text size="sm" c="dimmed" data-testid="live-state">
                  {paused ? 'Paused' : 'Live'}
                </Text>
              </Group>
            </Tooltip>
            <Button
              variant="default"
              leftSection={paused ? <IconPlayerPlay size={16} /> : <IconPlayerPause size={16} />}
              onClick={() => setPaused((p) => !p)}
              data-testid="live-toggle"
            >
              {paused ? 'Resume' : 'Pause'}
            </Button>
            <ExportButton
              op={ops.exports.statusMessages}
              filters={filters}
              testId="status-export"
            />
          </Group>
        }
      />
      <Paper p="md">
        <Group gap="sm" mb="sm" align="flex-end" wrap="wrap">
          <DeviceSelect
            value={device}
            onChange={(v) => set('device', v)}
            w={220}
            testId="filter-device"
          />
          <Select
            placeholder="Any component"
            data={components}
            value={component}
            onChange={(v) => set('component', v)}
            clearable
            searchable
            w={200}
            data-testid="filter-component"
          />
          <NumberInput
            placeholder="Message id"
            value={messageId ?? ''}
            onChange={(v) => set('messageId', typeof v === 'number' && v > 0 ? String(v) : null)}
            min={1}
            max={99999}
            hideControls
            w={120}
            data-testid="filter-message-id"
          />
          <SegmentedControl
            value={severity ?? 'all'}
            onChange={(v) => set('severity', v === 'all' ? null : v)}
            data={[
              { value: 'all', label: 'All' },
              { value: 'informational', label: 'Info' },
              { value: 'warning', label: 'Warning' },
              { value: 'error', label: 'Error' },
            ]}
            data-testid="filter-severity"
          />
          <Select
            data={RANGES.map((r) => ({ value: r.value, label: r.label }))}
            value={range?.value ?? '24h'}
            onChange={(v) => set('range', v)}
            allowDeselect={false}
            w={160}
            data-testid="filter-range"
          />
        </Group>
        {live.error !== null && live.messages.length > 0 && (
          <Alert
            color="orange"
            variant="light"
            icon={<IconAlertTriangle size={16} />}
            mb="sm"
            p="xs"
          >
            <Text size="sm">
              Live updates are failing: <Code>{errorCode(live.error)}</Code>{' '}
              {errorMessage(live.error)}. Retrying every 2 seconds.
            </Text>
          </Alert>
        )}
        {live.error !== null && live.messages.length === 0 && !live.loading ? (
          <ErrorState error={live.error} what="status messages" />
        ) : !live.loading && live.messages.length === 0 ? (
          <EmptyState
            icon={<IconMessages size={24} />}
            title={
              filtered
                ? 'No status message matches these filters'
                : 'No status messages in this period'
            }
            description={
              paused
                ? 'Resume live updates to see new messages as they arrive.'
                : 'New messages appear here within two seconds of reaching the site. Widen the time range to see older ones.'
            }
          />
        ) : (
          <>
            <StatusMessageTable
              messages={live.messages}
              loading={live.loading}
              onOpen={setOpen}
              freshIds={live.fresh}
            />
            <Group justify="space-between" mt="sm">
              <Text size="sm" c="dimmed" data-testid="status-message-count">
                {live.messages.length.toLocaleString()} message
                {live.messages.length === 1 ? '' : 's'} shown
              </Text>
              {live.hasOlder && (
                <Button
                  variant="default"
                  size="xs"
                  onClick={live.loadOlder}
                  loading={live.loadingOlder}
                >
                  Load older
                </Button>
              )}
            </Group>
          </>
        )}
      </Paper>
      <StatusMessageDrawer message={open} onClose={() => setOpen(null)} />
    </>
  );
}
