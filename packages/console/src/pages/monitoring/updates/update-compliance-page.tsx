import { Button, Group, Paper, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconChartDonut, IconListCheck, IconSearch } from '@tabler/icons-react';
import type { ScanAuditState } from '@steward/protocol';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { DeviceSelect } from '../../../components/device-select';
import { ErrorState } from '../../../components/error-state';
import { PageHeader } from '../../../components/page-header';
import { PageTabs, useTabParam } from '../../../components/page-tabs';
import { StateCountsDonut } from '../../../components/state-counts-donut';
import { ComplianceCharts } from './compliance-charts';
import { ScanAuditTable, useScanStateCounts } from './scan-audit';

/** Opens the CVE view of an id typed in, or the catalog filtered to a package. */
function Lookups() {
  const navigate = useNavigate();
  const [cve, setCve] = useState('');
  const [pkg, setPkg] = useState('');
  const [device, setDevice] = useState<string | null>(null);
  return (
    <Stack gap="md">
      <div>
        <Title order={5}>Per CVE</Title>
        <Text size="xs" c="dimmed" mb={6}>
          Affected, fixed and no-fix devices, and the fixed version per release.
        </Text>
        <Group gap="xs">
          <TextInput
            placeholder="CVE-2024-5535"
            value={cve}
            onChange={(e) => setCve(e.currentTarget.value.trim())}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && cve)
                void navigate(`/monitoring/cves/${encodeURIComponent(cve)}`);
            }}
            w={220}
            data-testid="compliance-cve"
          />
          <Button
            variant="default"
            disabled={!cve}
            onClick={() => void navigate(`/monitoring/cves/${encodeURIComponent(cve)}`)}
            data-testid="compliance-cve-open"
          >
            Open
          </Button>
        </Group>
      </div>
      <div>
        <Title order={5}>Per update</Title>
        <Text size="xs" c="dimmed" mb={6}>
          The catalog filtered to a package; each update's page charts its compliance.
        </Text>
        <Group gap="xs">
          <TextInput
            placeholder="Source or binary package"
            leftSection={<IconSearch size={16} />}
            value={pkg}
            onChange={(e) => setPkg(e.currentTarget.value)}
            w={220}
            data-testid="compliance-package"
          />
          <Button
            variant="default"
            disabled={!pkg.trim()}
            onClick={() =>
              void navigate(`/software/updates?search=${encodeURIComponent(pkg.trim())}&state=all`)
            }
            data-testid="compliance-package-open"
          >
            Find
          </Button>
        </Group>
      </div>
      <div>
        <Title order={5}>Per computer</Title>
        <Text size="xs" c="dimmed" mb={6}>
          A device's updates by state, its last scan, and Scan now.
        </Text>
        <Group gap="xs">
          <DeviceSelect
            value={device}
            onChange={(id) => {
              setDevice(id);
              if (id) void navigate(`/devices/${encodeURIComponent(id)}?tab=updates`);
            }}
            w={260}
            testId="compliance-device"
          />
        </Group>
      </div>
    </Stack>
  );
}

function Overview({ onAudit }: { onAudit: (s: ScanAuditState | null) => void }) {
  const scans = useScanStateCounts();
  const total = scans.rows.reduce((n, r) => n + r.count, 0);
  const current = scans.rows.find((r) => r.state === 'current')?.count ?? 0;
  return (
    <Stack gap="md">
      <ComplianceCharts />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Paper withBorder p="md">
          <Title order={5} mb="xs">
            Scan freshness
          </Title>
          {scans.error ? (
            <ErrorState error={scans.error} what="the scan audit" />
          ) : (
            <StateCountsDonut
              rows={scans.rows}
              selected={null}
              onSelect={(s) => onAudit(s)}
              chartLabel={
                total > 0 ? `${Math.round((100 * current) / total)}% current` : 'No devices'
              }
              rowTestIdPrefix="scan-state-"
              donutTestId="scan-freshness-donut"
            >
              <Text size="xs" c="dimmed" mt="xs">
                Compliance is exact for devices that scanned the current catalog; the others are
                judged from their inventory. Click a state for its devices.
              </Text>
            </StateCountsDonut>
          )}
        </Paper>
        <Paper withBorder p="md">
          <Lookups />
        </Paper>
      </SimpleGrid>
    </Stack>
  );
}

const TABS = ['overview', 'scan-audit'] as const;

/**
 * Monitoring > Update compliance: compliance charts, scan freshness, drill-downs per CVE, update
 * and computer, and the scan audit.
 */
export function UpdateCompliancePage() {
  const [tab, setTab] = useTabParam(TABS);
  const [auditState, setAuditState] = useState<ScanAuditState | null>(null);
  return (
    <>
      <PageHeader
        title="Update compliance"
        description="Which machines need which updates: from each device's update scan, else from its inventory."
      />
      <PageTabs
        value={tab}
        onChange={setTab}
        tabs={[
          {
            value: 'overview',
            label: 'Overview',
            icon: <IconChartDonut size={16} />,
            testId: 'compliance-tab-overview',
            panel: (
              <Overview
                onAudit={(s) => {
                  setAuditState(s);
                  setTab('scan-audit');
                }}
              />
            ),
          },
          {
            value: 'scan-audit',
            label: 'Scan audit',
            icon: <IconListCheck size={16} />,
            testId: 'compliance-tab-scan-audit',
            panel: <ScanAuditTable state={auditState} onState={setAuditState} />,
          },
        ]}
      />
    </>
  );
}
