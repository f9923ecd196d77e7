import { Group, NumberInput, Paper, SimpleGrid, Stack, TagsInput, Text } from '@mantine/core';
import { api } from '../../api/client';
import { SettingsPage } from '../../components/settings-page';
import { formatSeconds } from '../../lib/format';
import { useSession } from '../../session/session-context';

type IntervalKey =
  | 'policyIntervalSeconds'
  | 'heartbeatIntervalSeconds'
  | 'inventoryIntervalSeconds'
  | 'softwareScanIntervalSeconds';

const INTERVALS: {
  key: IntervalKey;
  label: string;
  description: string;
  unit: number;
  unitLabel: string;
  min: number;
}[] = [
  {
    key: 'policyIntervalSeconds',
    label: 'Policy polling',
    description:
      'How often agents fetch policy (they are also nudged at once over the push channel)',
    unit: 60,
    unitLabel: 'min',
    min: 30,
  },
  {
    key: 'heartbeatIntervalSeconds',
    label: 'Heartbeat',
    description: 'How often agents say they are alive',
    unit: 1,
    unitLabel: 's',
    min: 10,
  },
  {
    key: 'inventoryIntervalSeconds',
    label: 'Hardware and software inventory',
    description:
      'Daily for data-centre servers is usual; deltas are sent after the first full report',
    unit: 3600,
    unitLabel: 'h',
    min: 60,
  },
  {
    key: 'softwareScanIntervalSeconds',
    label: 'Software file scan',
    description: 'Scan of executable files under the paths below (weekly by default)',
    unit: 3600,
    unitLabel: 'h',
    min: 60,
  },
];

/** The schedules and limits every agent receives in its policy. */
export function ClientSettingsPage() {
  const { can } = useSession();
  const writable = can('devices:write');
  return (
    <SettingsPage
      title="Client settings"
      description="Schedules and limits every agent receives in its policy."
      what="the client settings"
      queryKey="client-settings"
      load={() => api.getClientSettings()}
      save={(s) => api.updateClientSettings(s)}
      savedMessage="Client settings saved; agents apply them with their next policy."
      writable={writable}
      testId="client-settings"
      skeletonLines={6}
    >
      {(draft, setDraft) => (
        <Stack gap="md">
          <Paper p="md">
            <Text fw={600} mb="sm">
              Schedules
            </Text>
            <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
              {INTERVALS.map((i) => (
                <NumberInput
                  key={i.key}
                  label={i.label}
                  description={`${i.description} · now ${formatSeconds(draft[i.key])}`}
                  suffix={` ${i.unitLabel}`}
                  min={Math.max(1, Math.ceil(i.min / i.unit))}
                  value={draft[i.key] / i.unit}
                  decimalScale={i.unit === 1 ? 0 : 2}
                  disabled={!writable}
                  onChange={(v) =>
                    typeof v === 'number' && setDraft({ ...draft, [i.key]: Math.round(v * i.unit) })
                  }
                  data-testid={`setting-${i.key}`}
                />
              ))}
            </SimpleGrid>
          </Paper>
          <Paper p="md">
            <Text fw={600} mb="sm">
              Software inventory and reporting
            </Text>
            <Stack gap="md">
              <TagsInput
                label="Software scan paths"
                description="Directories scanned for executable files; press Enter after each path"
                value={draft.softwareScanPaths}
                onChange={(softwareScanPaths) => setDraft({ ...draft, softwareScanPaths })}
                disabled={!writable}
                clearable
              />
              <NumberInput
                label="Report batch size"
                description="Outbox items sent per request (1–5000)"
                min={1}
                max={5000}
                w={260}
                value={draft.reportBatchSize}
                disabled={!writable}
                onChange={(v) =>
                  typeof v === 'number' && setDraft({ ...draft, reportBatchSize: v })
                }
              />
              <Group gap="md" align="flex-start">
                <NumberInput
                  label="Content download throttle (KiB/s)"
                  description="Per agent; 0 = not throttled"
                  min={0}
                  w={260}
                  value={draft.contentDownloadKbps ?? 0}
                  disabled={!writable}
                  onChange={(v) =>
                    typeof v === 'number' && setDraft({ ...draft, contentDownloadKbps: v })
                  }
                  data-testid="setting-contentDownloadKbps"
                />
                <NumberInput
                  label="Content cache (MiB)"
                  description="Least recently used content goes first"
                  min={100}
                  w={260}
                  value={draft.contentCacheMb ?? 5120}
                  disabled={!writable}
                  onChange={(v) =>
                    typeof v === 'number' && setDraft({ ...draft, contentCacheMb: v })
                  }
                  data-testid="setting-contentCacheMb"
                />
              </Group>
            </Stack>
          </Paper>
        </Stack>
      )}
    </SettingsPage>
  );
}
