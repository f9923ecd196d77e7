import { Badge, Button, Group, Paper, Select, Stack, Table, Text, Title } from '@mantine/core';
import { IconArrowBigUpLines, IconDeviceFloppy, IconPackage } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  AgentVersionSettingsOptions,
  ops,
  type AgentVersion,
  type AgentVersionSettings,
} from '@steward/protocol';
import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { CollectionSelect } from '../../components/collection-select';
import { ConfirmButton } from '../../components/confirm-button';
import { DataTable } from '../../components/data-table';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { PageHeader } from '../../components/page-header';
import { ExportButton } from '../../components/export-button';
import { SettingsFields } from '../../components/settings-fields';
import { formatBytes, formatDateTime } from '../../lib/format';
import { useSession } from '../../session/session-context';
import { AgentVersionContentCell } from './agent-version-content';

const VERSIONS = ['agent-versions'];
const SETTINGS = ['agent-version-settings'];

function RoleBadge({ role }: { role: AgentVersion['role'] }) {
  if (role === 'production') return <Badge color="teal">production</Badge>;
  if (role === 'preproduction') return <Badge color="grape">pre-production</Badge>;
  return null;
}

function VersionsTable({ versions, loading }: { versions: AgentVersion[]; loading: boolean }) {
  if (!loading && versions.length === 0)
    return (
      <EmptyState
        icon={<IconPackage size={28} />}
        testId="agent-versions-empty"
        title="No agent version registered"
        description="Build the packages with npm run package:agent, then register them with steward agent-version add packages/agent/dist/packages."
      />
    );
  return (
    <DataTable
      testId="agent-versions-table"
      loading={loading}
      columns={[
        { label: 'Version' },
        { label: 'Role' },
        { label: 'Packages' },
        { label: 'Size', ta: 'right' },
        { label: 'Distribution' },
        { label: 'Registered' },
      ]}
    >
      {versions.map((v) => (
        <Table.Tr key={v.version} data-testid={`agent-version-${v.version}`}>
          <Table.Td fw={600}>{v.version}</Table.Td>
          <Table.Td>
            <RoleBadge role={v.role} />
          </Table.Td>
          <Table.Td>
            <Group gap={4}>
              {v.files.map((f) => (
                <Badge
                  key={f.name}
                  variant="light"
                  color="gray"
                  title={`${f.name}\nSHA-256 ${f.sha256}`}
                >
                  {f.kind === 'sea' ? `single executable (${f.arch})` : f.kind}
                </Badge>
              ))}
            </Group>
          </Table.Td>
          <Table.Td ta="right">{formatBytes(v.sizeBytes)}</Table.Td>
          <Table.Td>
            <AgentVersionContentCell version={v} />
          </Table.Td>
          <Table.Td>
            <Text size="sm">
              {formatDateTime(v.createdAt)} by {v.createdBy}
            </Text>
          </Table.Td>
        </Table.Tr>
      ))}
    </DataTable>
  );
}

/**
 * Administration > Client versions: the registered agent versions, which is production and which
 * pre-production (with its collection), and "Promote pre-production client". Changing them is for
 * Full Administrators only (agent-versions:manage).
 */
export function ClientVersionsPage() {
  const { can } = useSession();
  const writable = can('agent-versions:manage');
  const queryClient = useQueryClient();
  const versions = useQuery({
    queryKey: VERSIONS,
    queryFn: () => api.call(ops.agentVersions.list, {}),
  });
  const settings = useQuery({
    queryKey: SETTINGS,
    queryFn: () => api.call(ops.agentVersions.getSettings, {}),
  });
  const [draft, setDraft] = useState<AgentVersionSettings | null>(null);
  useEffect(() => {
    if (settings.data !== undefined && draft === null) setDraft(settings.data);
  }, [settings.data, draft]);
  const refresh = async (s: AgentVersionSettings) => {
    queryClient.setQueryData(SETTINGS, s);
    setDraft(s);
    await queryClient.invalidateQueries({ queryKey: VERSIONS });
  };
  const save = useMutation({
    mutationFn: (s: AgentVersionSettings) =>
      api.call(ops.agentVersions.updateSettings, { body: s }),
    meta: { errorTitle: 'Could not save the client-version settings' },
    onSuccess: async (s) => {
      await refresh(s);
      notifySuccess('Client-version settings saved.');
    },
  });
  const promote = useMutation({
    mutationFn: () => api.call(ops.agentVersions.promote, {}),
    meta: { errorTitle: 'Could not promote the pre-production client' },
    onSuccess: async (r) => {
      await refresh(r.settings);
      notifySuccess(`Agent version ${r.settings.productionVersion ?? ''} is now production.`);
    },
  });
  const versionOptions = (versions.data ?? []).map((v) => ({ value: v.version, label: v.version }));
  const dirty = draft !== null && JSON.stringify(draft) !== JSON.stringify(settings.data);
  const current = settings.data;
  const canPromote =
    writable &&
    !dirty &&
    current?.preproductionVersion != null &&
    current.preproductionVersion !== current.productionVersion;
  return (
    <>
      <PageHeader
        title="Client versions"
        description="Agent versions in the content library; production for every device, pre-production for one collection."
        actions={
          <Group gap="xs">
            <ExportButton op={ops.exports.agentUpgrades} testId="agent-upgrades-export" />
            <ConfirmButton
              leftSection={<IconArrowBigUpLines size={16} />}
              disabled={!canPromote}
              title="Promote pre-production client"
              message={`Agent version ${current?.preproductionVersion ?? ''} becomes the production version (now ${current?.productionVersion ?? 'none'}). Every production agent upgrades to it within ${current?.upgradeWindowHours ?? 24} hours, inside maintenance windows where they exist.`}
              confirmLabel="Promote"
              danger={false}
              loading={promote.isPending}
              onConfirm={() => promote.mutateAsync()}
              testId="promote-preproduction"
            >
              Promote pre-production client
            </ConfirmButton>
          </Group>
        }
      />
      <Stack>
        {versions.isError ? (
          <ErrorState error={versions.error} what="the agent versions" />
        ) : (
          <VersionsTable versions={versions.data ?? []} loading={versions.isPending} />
        )}
        {settings.isError ? (
          <ErrorState error={settings.error} what="the client-version settings" />
        ) : (
          draft !== null && (
            <Paper p="md" data-testid="agent-version-settings">
              <Title order={4} mb="sm">
                Settings
              </Title>
              <Stack gap="sm" maw={520}>
                <Select
                  label="Production version"
                  description="Every device outside pre-production and exclusion upgrades to it"
                  data={versionOptions}
                  value={draft.productionVersion}
                  onChange={(v) => setDraft({ ...draft, productionVersion: v })}
                  clearable
                  disabled={!writable}
                  data-testid="production-version"
                />
                <Select
                  label="Pre-production version"
                  description="Devices in the pre-production collection upgrade to it first"
                  data={versionOptions}
                  value={draft.preproductionVersion}
                  onChange={(v) => setDraft({ ...draft, preproductionVersion: v })}
                  clearable
                  disabled={!writable}
                  data-testid="preproduction-version"
                />
                <CollectionSelect
                  label="Pre-production collection"
                  value={draft.preproductionCollectionId}
                  onChange={(id) => setDraft({ ...draft, preproductionCollectionId: id })}
                  disabled={!writable}
                  data-testid="preproduction-collection"
                />
                <CollectionSelect
                  label="Exclusion collection"
                  description="Excluded from automatic client upgrade: devices here keep the version they run"
                  value={draft.exclusionCollectionId}
                  onChange={(id) => setDraft({ ...draft, exclusionCollectionId: id })}
                  disabled={!writable}
                  data-testid="exclusion-collection"
                />
                <SettingsFields
                  declaration={AgentVersionSettingsOptions}
                  values={draft}
                  onChange={(k, v) => setDraft({ ...draft, [k]: v })}
                  disabled={!writable}
                  testIdPrefix="agent-version-setting"
                />
              </Stack>
              <Group justify="flex-end" mt="md">
                {dirty && (
                  <Button variant="default" onClick={() => setDraft(settings.data ?? null)}>
                    Discard changes
                  </Button>
                )}
                <Button
                  leftSection={<IconDeviceFloppy size={16} />}
                  disabled={!dirty || !writable}
                  loading={save.isPending}
                  onClick={() => save.mutate(draft)}
                  data-testid="agent-version-settings-save"
                >
                  Save
                </Button>
              </Group>
            </Paper>
          )
        )}
      </Stack>
    </>
  );
}
