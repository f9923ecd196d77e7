import { Badge, Paper, Skeleton, Tabs } from '@mantine/core';
import { IconBan } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { BUILTIN_CLASS_NAMES } from '@steward/protocol';
import { useParams, useSearchParams } from 'react-router-dom';
import { api } from '../../api/client';
import { isNotFound, notifySuccess } from '../../api/errors';
import { ConfirmButton } from '../../components/confirm-button';
import { DeviceStatusBadges, ONLINE_POLL_MS } from '../../components/device-status-badges';
import { ErrorState } from '../../components/error-state';
import { MachineTypeIcon } from '../../components/machine-type-icon';
import { PageHeader } from '../../components/page-header';
import { TabPanelCard } from '../../components/page-tabs';
import { BlockSkeleton } from '../../components/table-skeleton';
import { NotFoundPage } from '../not-found-page';
import { useSession } from '../../session/session-context';
import { formatOs } from '../../lib/format';
import { DeviceActionsButtons, DeviceActionsList } from './device-actions-panel';
import { DeviceFacts } from './device-header';
import { ClientHealthTab } from './tabs/client-health-tab';
import { ClientVersionTab } from './tabs/client-version-tab';
import { ClientSettingsTab } from './tabs/client-settings-tab';
import { CollectionsTab } from './tabs/collections-tab';
import { CustomClassesTab } from './tabs/custom-classes-tab';
import { DeploymentsTab } from './tabs/deployments-tab';
import { HardwareTab } from './tabs/hardware-tab';
import { HistoryTab } from './tabs/history-tab';
import { PackagesTab } from './tabs/packages-tab';
import { ServicesTab } from './tabs/services-tab';
import { SoftwareFilesTab } from './tabs/software-files-tab';
import { DeviceStatusTab } from './tabs/status-tab';
import { SummaryTab } from './tabs/summary-tab';
import { UsersTab } from './tabs/users-tab';
import { UpdatesTab } from './tabs/updates-tab';
import { DeviceTaskSequencesTab } from '../task-sequences/device-task-sequences-tab';

const TABS = [
  'summary',
  'hardware',
  'services',
  'users',
  'packages',
  'files',
  'custom',
  'history',
  'status',
  'collections',
  'deployments',
  'updates',
  'client-settings',
  'client-health',
  'client-version',
  'task-sequences',
] as const;
type TabName = (typeof TABS)[number];

export function DevicePage() {
  const { deviceId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const { can } = useSession();
  const queryClient = useQueryClient();
  const tab: TabName = TABS.find((t) => t === params.get('tab')) ?? 'summary';

  const device = useQuery({
    queryKey: ['device', deviceId],
    queryFn: () => api.getDevice(deviceId),
    refetchInterval: ONLINE_POLL_MS,
  });
  const revoke = useMutation({
    mutationFn: () => api.revokeDevice(deviceId),
    onSuccess: (d) => {
      notifySuccess(`${d.name} was revoked; its agent can no longer talk to the site.`);
      void queryClient.invalidateQueries({ queryKey: ['device', deviceId] });
      void queryClient.invalidateQueries({ queryKey: ['devices'] });
    },
  });

  if (device.isError && isNotFound(device.error)) return <NotFoundPage />;
  if (device.isError && !device.data) return <ErrorState error={device.error} what="this device" />;
  const d = device.data;
  const inventory = d?.inventory ?? {};
  const customCount = Object.keys(inventory).filter((c) => !BUILTIN_CLASS_NAMES.has(c)).length;
  const count = (cls: string) => inventory[cls]?.length ?? 0;

  const tabs: { value: TabName; label: string; count?: number }[] = [
    { value: 'summary', label: 'Summary' },
    { value: 'hardware', label: 'Hardware' },
    { value: 'services', label: 'Services', count: count('service') },
    { value: 'users', label: 'Users', count: count('session') },
    { value: 'packages', label: 'Packages', count: d?.packageCount },
    // Short labels and tight padding: the fifteen tabs fit on one line at 1440 px (issue 12);
    // each panel's own heading says the rest ("Software files", "Resultant client settings", ...).
    { value: 'files', label: 'Files', count: count('softwareFile') },
    { value: 'custom', label: 'Custom', count: customCount },
    { value: 'history', label: 'History' },
    { value: 'status', label: 'Status' },
    { value: 'collections', label: 'Collections', count: d?.collections.length },
    { value: 'deployments', label: 'Deployments' },
    { value: 'updates', label: 'Updates' },
    { value: 'client-settings', label: 'Settings' },
    { value: 'client-health', label: 'Health' },
    { value: 'client-version', label: 'Version' },
    { value: 'task-sequences', label: 'OSD' },
  ];

  return (
    <>
      <PageHeader
        wrapActions
        crumbs={[{ label: 'Devices', to: '/devices' }, { label: d?.name ?? deviceId }]}
        icon={d ? <MachineTypeIcon type={d.machineType} size="xl" /> : <Skeleton h={38} w={38} />}
        title={d ? d.name : <Skeleton h={24} w={220} />}
        testId="device-name"
        description={
          d ? (
            <span
              style={{ display: 'inline-flex', flexWrap: 'wrap', gap: 8, alignItems: 'center' }}
            >
              {formatOs(d.osName, d.osVersion)}
              <DeviceStatusBadges device={d} />
            </span>
          ) : undefined
        }
        actions={
          d && (
            <>
              <DeviceActionsButtons deviceId={d.id} revoked={d.revokedAt !== null} />
              {can('devices:write') && d.revokedAt === null && (
                <ConfirmButton
                  variant="light"
                  color="red"
                  leftSection={<IconBan size={16} />}
                  title={`Revoke ${d.name}?`}
                  message="The device's key stops working at once: its agent can no longer fetch policy or send reports, and it leaves every collection. The machine must enrol again with a new token to come back."
                  confirmLabel="Revoke device"
                  loading={revoke.isPending}
                  onConfirm={() => revoke.mutateAsync()}
                  testId="action-revoke"
                >
                  Revoke
                </ConfirmButton>
              )}
            </>
          )
        }
      />
      {d ? (
        <DeviceFacts device={d} />
      ) : (
        <Paper p="md" mb="md">
          <BlockSkeleton lines={3} />
        </Paper>
      )}
      {d && <DeviceActionsList deviceId={d.id} />}
      <Tabs
        value={tab}
        onChange={(v) => {
          const next = new URLSearchParams(params);
          next.set('tab', v ?? 'summary');
          setParams(next, { replace: true });
        }}
        keepMounted={false}
        variant="outline"
      >
        <Tabs.List>
          {tabs.map((t) => (
            <Tabs.Tab key={t.value} value={t.value} data-testid={`tab-${t.value}`} px={5} fz={13}>
              {t.label}
              {t.count !== undefined && t.count > 0 && (
                <Badge
                  size="xs"
                  variant="light"
                  color="gray"
                  ml={6}
                  data-testid={`tab-${t.value}-count`}
                >
                  {t.count.toLocaleString()}
                </Badge>
              )}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <TabPanelCard>
          {!d ? (
            <BlockSkeleton lines={6} />
          ) : (
            <>
              <Tabs.Panel value="summary">
                <SummaryTab device={d} />
              </Tabs.Panel>
              <Tabs.Panel value="hardware">
                <HardwareTab device={d} />
              </Tabs.Panel>
              <Tabs.Panel value="services">
                <ServicesTab device={d} />
              </Tabs.Panel>
              <Tabs.Panel value="users">
                <UsersTab device={d} />
              </Tabs.Panel>
              <Tabs.Panel value="packages">
                <PackagesTab device={d} />
              </Tabs.Panel>
              <Tabs.Panel value="files">
                <SoftwareFilesTab device={d} />
              </Tabs.Panel>
              <Tabs.Panel value="custom">
                <CustomClassesTab device={d} />
              </Tabs.Panel>
              <Tabs.Panel value="history">
                <HistoryTab device={d} />
              </Tabs.Panel>
              <Tabs.Panel value="status">
                <DeviceStatusTab device={d} />
              </Tabs.Panel>
              <Tabs.Panel value="collections">
                <CollectionsTab device={d} />
              </Tabs.Panel>
              <Tabs.Panel value="deployments">
                <DeploymentsTab device={d} />
              </Tabs.Panel>
              <Tabs.Panel value="updates">
                <UpdatesTab device={d} />
              </Tabs.Panel>
              <Tabs.Panel value="client-settings">
                <ClientSettingsTab device={d} />
              </Tabs.Panel>
              <Tabs.Panel value="client-health">
                <ClientHealthTab device={d} />
              </Tabs.Panel>
              <Tabs.Panel value="client-version">
                <ClientVersionTab device={d} />
              </Tabs.Panel>
              <Tabs.Panel value="task-sequences">
                <DeviceTaskSequencesTab deviceId={d.id} />
              </Tabs.Panel>
            </>
          )}
        </TabPanelCard>
      </Tabs>
    </>
  );
}
