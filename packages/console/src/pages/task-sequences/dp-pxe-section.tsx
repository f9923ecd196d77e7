import {
  Badge,
  Button,
  Group,
  MultiSelect,
  PasswordInput,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  DpPxeSettingsOptions,
  PXE_PASSWORD_LIMITS,
  ops,
  settingsDefaults,
  type DpPxe,
  type SettingValues,
  type UpdateDpPxeRequest,
} from '@steward/protocol';
import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { ErrorState } from '../../components/error-state';
import { RelativeTime } from '../../components/relative-time';
import { SettingsFields } from '../../components/settings-fields';
import { useSession } from '../../session/session-context';
import { useBoundaryGroups } from '../software/queries';
import { ProblemsAlert } from './problems-alert';

type PxeValues = SettingValues<typeof DpPxeSettingsOptions>;

function valuesOf(p: DpPxe): PxeValues {
  const { enabled, answerBios, answerUefi, respondToUnknown, responseDelaySeconds, httpPort } = p;
  return { enabled, answerBios, answerUefi, respondToUnknown, responseDelaySeconds, httpPort };
}

/**
 * A DP's PXE responder (issue 11, ADR 0079): the declared settings (enable, BIOS/UEFI, unknown
 * computers, delay, HTTP port), its address on the PXE network, the boundary groups it answers
 * and the PXE password; and the requests it saw lately.
 */
export function DpPxeSection(props: { dpId: string; isSiteServer: boolean }) {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const key = ['dp-pxe', props.dpId];
  const pxe = useQuery({
    queryKey: key,
    queryFn: () => api.call(ops.dpPxe.get, { params: { id: props.dpId } }),
  });
  const activity = useQuery({
    queryKey: [...key, 'activity'],
    queryFn: () =>
      api.call(ops.dpPxe.activity, { params: { id: props.dpId }, query: { limit: 20 } }),
    refetchInterval: 10_000,
  });
  const groups = useBoundaryGroups();
  const [values, setValues] = useState<PxeValues>(settingsDefaults(DpPxeSettingsOptions));
  const [address, setAddress] = useState('');
  const [groupIds, setGroupIds] = useState<string[]>([]);
  const [password, setPassword] = useState('');
  const [dirty, setDirty] = useState(false);
  useEffect(() => {
    if (pxe.data && !dirty) {
      setValues(valuesOf(pxe.data));
      setAddress(pxe.data.serverAddress ?? '');
      setGroupIds(pxe.data.boundaryGroupIds);
    }
  }, [pxe.data, dirty]);
  const save = useMutation({
    mutationFn: (body: UpdateDpPxeRequest) =>
      api.call(ops.dpPxe.update, { params: { id: props.dpId }, body }),
    meta: { silent: true },
    onSuccess: (p) => {
      notifySuccess('PXE settings saved; the DP applies them without a restart.', 'Saved');
      setDirty(false);
      setPassword('');
      queryClient.setQueryData(key, p);
    },
  });
  if (pxe.isError) return <ErrorState error={pxe.error} what="the PXE settings" />;
  const writable = can('software:write') && !props.isSiteServer;
  const touch = () => setDirty(true);
  const passwordProblem =
    password && password.length < PXE_PASSWORD_LIMITS.minLength
      ? `At least ${String(PXE_PASSWORD_LIMITS.minLength)} characters`
      : undefined;
  return (
    <Stack gap="md" data-testid="dp-pxe">
      <Group justify="space-between">
        <Title order={4}>PXE</Title>
        {pxe.data && (
          <Badge
            color={pxe.data.enabled ? 'green' : 'gray'}
            variant="light"
            data-testid="dp-pxe-state"
          >
            {pxe.data.enabled ? 'answering PXE' : 'off'}
          </Badge>
        )}
      </Group>
      {props.isSiteServer && (
        <Text size="sm" c="dimmed">
          The site server's own DP does not answer PXE; enable it on a remote DP.
        </Text>
      )}
      <SettingsFields
        declaration={DpPxeSettingsOptions}
        values={values}
        onChange={(k, v) => {
          setValues((x) => ({ ...x, [k]: v }));
          touch();
        }}
        testIdPrefix="dp-pxe"
        disabled={!writable}
      />
      <TextInput
        label="Address on the PXE network"
        description="The DP's IPv4 address it answers as; empty: its own pxe.json says"
        placeholder="192.0.2.10"
        value={address}
        disabled={!writable}
        onChange={(e) => {
          setAddress(e.currentTarget.value);
          touch();
        }}
        data-testid="dp-pxe-address"
        maw={360}
      />
      <MultiSelect
        label="Boundary groups"
        description="Answer only clients in these groups' boundaries; none: every client that asks"
        data={(groups.data ?? []).map((g) => ({ value: g.id, label: g.name }))}
        value={groupIds}
        disabled={!writable}
        onChange={(v) => {
          setGroupIds(v);
          touch();
        }}
        searchable
        data-testid="dp-pxe-groups"
      />
      <Group align="flex-end">
        <PasswordInput
          label="PXE password"
          description={
            pxe.data?.passwordSet ? 'A password is set; type a new one to replace it' : 'None set'
          }
          value={password}
          maxLength={PXE_PASSWORD_LIMITS.maxLength}
          error={passwordProblem}
          disabled={!writable}
          onChange={(e) => {
            setPassword(e.currentTarget.value);
            touch();
          }}
          data-testid="dp-pxe-password"
          w={320}
        />
        {pxe.data?.passwordSet && writable && (
          <Button
            variant="subtle"
            color="red"
            onClick={() => save.mutate({ password: null })}
            data-testid="dp-pxe-password-remove"
          >
            Remove password
          </Button>
        )}
      </Group>
      {save.error ? (
        <ProblemsAlert error={save.error} title="Not saved" testId="dp-pxe-error" />
      ) : null}
      {writable && (
        <Group>
          <Button
            disabled={!dirty || passwordProblem !== undefined}
            loading={save.isPending}
            onClick={() =>
              save.mutate({
                ...values,
                serverAddress: address.trim() ? address.trim() : null,
                boundaryGroupIds: groupIds,
                ...(password ? { password } : {}),
              })
            }
            data-testid="dp-pxe-save"
          >
            Save PXE settings
          </Button>
          {pxe.data?.updatedAt && (
            <Text size="xs" c="dimmed">
              Changed <RelativeTime iso={pxe.data.updatedAt} size="xs" /> by {pxe.data.updatedBy}
            </Text>
          )}
        </Group>
      )}
      <Title order={5}>Recent PXE requests</Title>
      {(activity.data?.items.length ?? 0) === 0 ? (
        <Text size="sm" c="dimmed">
          None reported.
        </Text>
      ) : (
        <Table className="steward-table" fz="sm" data-testid="dp-pxe-activity">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              <Table.Th>Stage</Table.Th>
              <Table.Th>Client</Table.Th>
              <Table.Th>Firmware</Table.Th>
              <Table.Th>Answered</Table.Th>
              <Table.Th>Detail</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(activity.data?.items ?? []).map((a, i) => (
              <Table.Tr key={`${a.at}-${String(i)}`}>
                <Table.Td>
                  <RelativeTime iso={a.at} />
                </Table.Td>
                <Table.Td>{a.stage}</Table.Td>
                <Table.Td>{a.client}</Table.Td>
                <Table.Td>{a.firmware ?? '-'}</Table.Td>
                <Table.Td>{a.answered ? 'yes' : 'no'}</Table.Td>
                <Table.Td>{a.detail}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
