import { Group, SegmentedControl, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { ops, type ComplianceListState, type DeviceDetail } from '@steward/protocol';
import { useState } from 'react';
import { api } from '../../../api/client';
import { ExportButton } from '../../../components/export-button';
import { Fact } from '../../../components/fact';
import { RelativeTime } from '../../../components/relative-time';
import { ComplianceRowsTable } from '../../updates/update-devices-table';
import { UPDATE_KEYS } from '../../updates/update-labels';
import { SCAN_STATES } from '../../monitoring/updates/scan-audit';
import { DeviceActionsButtons } from '../device-actions-panel';

const STATES: { value: ComplianceListState | 'all'; label: string }[] = [
  { value: 'required', label: 'Required' },
  { value: 'held', label: 'Held' },
  { value: 'pinned', label: 'Pinned' },
  { value: 'installed', label: 'Installed' },
  { value: 'unknown', label: 'Unknown' },
  { value: 'all', label: 'All' },
];

/** The device's last update scan, as the scan audit has it. */
function LastScan({ deviceId }: { deviceId: string }) {
  const audit = useQuery({
    queryKey: [UPDATE_KEYS.compliance, 'scan-audit', 'device', deviceId],
    queryFn: async () => {
      const page = await api.call(ops.updateCompliance.scanAudit, {
        query: { deviceId, limit: 1 },
      });
      return page.items[0] ?? null;
    },
    refetchInterval: 10_000,
  });
  const e = audit.data;
  const def = SCAN_STATES.find((s) => s.state === e?.state);
  return (
    <Group gap="xl" mb="sm" data-testid="device-last-scan" data-state={e?.state ?? ''}>
      <Fact label="Last update scan">
        {e?.scannedAt ? <RelativeTime iso={e.scannedAt} size="sm" /> : <Text size="sm">Never</Text>}
      </Fact>
      <Fact label="Scan state">
        <Text size="sm" c={def?.color}>
          {def?.label ?? '—'}
        </Text>
      </Fact>
      <Fact label="Basis">
        <Text size="sm">
          {e?.state === 'current'
            ? 'Its scan of the current catalog'
            : 'Its inventory (no current scan)'}
        </Text>
      </Fact>
      {e?.error && (
        <Fact label="Error">
          <Text size="sm" c="red">
            {e.error}
          </Text>
        </Fact>
      )}
    </Group>
  );
}

/** Device page > Updates: the device's updates by state, its last scan, and Scan now. */
export function UpdatesTab({ device }: { device: DeviceDetail }) {
  const [state, setState] = useState<ComplianceListState | 'all'>('required');
  const filter = state === 'all' ? null : state;
  return (
    <>
      <Group justify="space-between" align="flex-start" mb="xs">
        <LastScan deviceId={device.id} />
        <Group gap="xs">
          <DeviceActionsButtons
            deviceId={device.id}
            revoked={device.revokedAt !== null}
            only={['updates:scan', 'updates:scan-expedited']}
          />
        </Group>
      </Group>
      <Group justify="space-between" mb="sm">
        <SegmentedControl
          size="xs"
          value={state}
          onChange={(v) => setState(STATES.find((s) => s.value === v)?.value ?? 'all')}
          data={STATES}
          data-testid="device-updates-state"
        />
        <ExportButton
          op={ops.exports.deviceUpdates}
          params={{ id: device.id }}
          filters={filter ? { state: filter } : {}}
          testId="device-updates-export"
        />
      </Group>
      <ComplianceRowsTable
        queryKey={[UPDATE_KEYS.compliance, 'device', device.id]}
        load={(query) =>
          api.call(ops.updateCompliance.deviceUpdates, { params: { id: device.id }, query })
        }
        state={filter}
        show="update"
        testId="device-updates"
      />
    </>
  );
}
