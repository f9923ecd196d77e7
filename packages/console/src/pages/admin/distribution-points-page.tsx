import { ExportButton } from '../../components/export-button';
import {
  Anchor,
  Badge,
  Group,
  Modal,
  Paper,
  Stack,
  Switch,
  Table,
  Text,
  Tooltip,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconKey, IconServer2, IconShieldLock } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ops, type DistributionPoint, type DistributionPointRegistration } from '@steward/protocol';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { ConfirmButton } from '../../components/confirm-button';
import { DpStateBadge } from '../../components/content-state-badge';
import { DataTable, RowActions } from '../../components/data-table';
import { DeleteIconButton } from '../../components/delete-icon-button';
import { EmptyState } from '../../components/empty-state';
import { FormActions, missingFields } from '../../components/form-actions';
import { NameDescriptionFields } from '../../components/name-description-fields';
import { NewButton } from '../../components/new-button';
import { QueryView } from '../../components/query-view';
import { PageHeader } from '../../components/page-header';
import { RatioBar } from '../../components/ratio-bar';
import { RelativeTime } from '../../components/relative-time';
import { formatBytes } from '../../lib/format';
import { useSession } from '../../session/session-context';
import { keys, useDistributionPoints } from '../software/queries';
import { DpRegistrationModal } from './dp-registration-modal';
import { distributionPointPath } from './distribution-point-page';
import { clickedWithin } from '../../lib/click-target';

function CreateDpModal(props: {
  opened: boolean;
  onClose: () => void;
  onCreated: (r: DistributionPointRegistration) => void;
}) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [isProtected, setProtected] = useState(false);
  const create = useMutation({
    mutationFn: () =>
      api.createDistributionPoint({
        name: name.trim(),
        description: description.trim(),
        protected: isProtected,
      }),
    meta: { silent: true },
    onSuccess: (r) => {
      setName('');
      setDescription('');
      setProtected(false);
      props.onCreated(r);
    },
  });
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={<Text fw={600}>New distribution point</Text>}
    >
      <Stack gap="sm">
        <NameDescriptionFields
          name={name}
          onName={setName}
          description={description}
          onDescription={setDescription}
          saveError={create.isError ? create.error : undefined}
          nameTestId="dp-name"
          autoFocus
        />
        <Switch
          label="Protected"
          description="Serves only clients in its own boundary groups"
          checked={isProtected}
          onChange={(e) => setProtected(e.currentTarget.checked)}
        />
        <FormActions
          onCancel={props.onClose}
          onSubmit={() => create.mutate()}
          submitLabel="Create"
          missing={missingFields({ Name: name.trim() !== '' })}
          loading={create.isPending}
          testId="dp-create"
          mt="sm"
        />
      </Stack>
    </Modal>
  );
}

function DpRow(props: {
  dp: DistributionPoint;
  onOpen: () => void;
  onRegistration: (r: DistributionPointRegistration) => void;
}) {
  const { dp } = props;
  const { can } = useSession();
  const queryClient = useQueryClient();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: keys.distributionPoints });
  const renew = useMutation({
    mutationFn: () => api.renewDistributionPointToken(dp.id),
    onSuccess: (r) => {
      refresh();
      props.onRegistration(r);
    },
  });
  const setProtected = useMutation({
    mutationFn: (on: boolean) => api.updateDistributionPoint(dp.id, { protected: on }),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: () => api.deleteDistributionPoint(dp.id),
    onSuccess: () => {
      notifySuccess(`${dp.name} deleted; clients move to their next DP.`);
      refresh();
    },
  });
  const writable = can('software:write');
  return (
    <Table.Tr
      className="clickable"
      data-testid="dp-row"
      data-dp-name={dp.name}
      onClick={(e) => {
        if (!clickedWithin(e, 'button, a, input')) props.onOpen();
      }}
    >
      <Table.Td>
        <Group gap={6}>
          <Anchor component={Link} to={distributionPointPath(dp.id)} size="sm" fw={600}>
            {dp.name}
          </Anchor>
          {dp.isSiteServer && (
            <Badge size="xs" variant="light" color="gray">
              site server
            </Badge>
          )}
        </Group>
        {dp.description && (
          <Text size="xs" c="dimmed" data-testid="dp-description">
            {dp.description}
          </Text>
        )}
        <Text size="xs" c="dimmed" className="steward-mono">
          {dp.url ?? 'Not registered yet'}
        </Text>
      </Table.Td>
      <Table.Td>
        <DpStateBadge state={dp.state} />
      </Table.Td>
      <Table.Td>
        {writable ? (
          <Tooltip label="Serves only clients of its own boundary groups" withArrow openDelay={300}>
            <Switch
              size="xs"
              checked={dp.protected}
              onChange={(e) => setProtected.mutate(e.currentTarget.checked)}
              thumbIcon={dp.protected ? <IconShieldLock size={10} /> : undefined}
              aria-label="Protected"
            />
          </Tooltip>
        ) : dp.protected ? (
          'Yes'
        ) : (
          'No'
        )}
      </Table.Td>
      <Table.Td>
        <RatioBar
          done={dp.packagesInstalled}
          total={dp.packagesTargeted}
          w={150}
          label="Packages installed of targeted"
        />
      </Table.Td>
      <Table.Td ta="right">{formatBytes(dp.storedBytes)}</Table.Td>
      <Table.Td>
        <RelativeTime iso={dp.lastSeenAt} />
      </Table.Td>
      <Table.Td ta="right">
        {writable && !dp.isSiteServer && (
          <RowActions>
            <ConfirmButton
              size="xs"
              variant="subtle"
              leftSection={<IconKey size={14} />}
              title={`New registration token for ${dp.name}?`}
              message="Issues a new token; the old one stops working. Use it to register the DP again (a reinstalled machine, or an expired token)."
              confirmLabel="Renew token"
              danger={false}
              loading={renew.isPending}
              onConfirm={() => renew.mutateAsync()}
              testId="dp-renew"
            >
              Renew token
            </ConfirmButton>
            <DeleteIconButton
              name={dp.name}
              message="The DP is removed from its groups and boundary groups; its certificate stops working and clients move to their next DP."
              loading={remove.isPending}
              onConfirm={() => remove.mutateAsync()}
              testId="dp-delete"
            />
          </RowActions>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

/** Administration › Distribution points. */
export function DistributionPointsPage() {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const dps = useDistributionPoints(10_000);
  const [createOpened, create] = useDisclosure(false);
  const [registration, setRegistration] = useState<DistributionPointRegistration | null>(null);
  const list = [...(dps.data ?? [])].sort(
    (a, b) => Number(b.isSiteServer) - Number(a.isSiteServer) || a.name.localeCompare(b.name),
  );
  // The empty state repeats the button without the test id: one element per test id.
  const newButton = (testId?: string) =>
    can('software:write') && (
      <NewButton onClick={create.open} testId={testId}>
        New distribution point
      </NewButton>
    );
  return (
    <>
      <PageHeader
        title="Distribution points"
        description="Servers clients download content from. The site server is one; more run as steward server --roles dp, with no database."
        actions={
          <Group gap="xs">
            <ExportButton op={ops.exports.distributionPoints} testId="dps-export" />
            {newButton('new-dp')}
          </Group>
        }
      />
      <Paper p="md">
        <QueryView
          query={dps}
          what="the distribution points"
          isEmpty={list.length === 0}
          empty={
            <EmptyState
              icon={<IconServer2 size={24} />}
              title="No distribution points"
              action={newButton()}
            />
          }
        >
          <DataTable
            columns={[
              { label: 'Name' },
              { label: 'State' },
              { label: 'Protected' },
              { label: 'Packages' },
              { label: 'Stored', ta: 'right' },
              { label: 'Last seen' },
              { w: 200 },
            ]}
            loading={dps.isPending}
            skeletonRows={3}
            testId="dp-table"
            minWidth={950}
          >
            {list.map((d) => (
              <DpRow
                key={d.id}
                dp={d}
                onOpen={() => void navigate(distributionPointPath(d.id))}
                onRegistration={setRegistration}
              />
            ))}
          </DataTable>
        </QueryView>
      </Paper>
      <CreateDpModal
        opened={createOpened}
        onClose={create.close}
        onCreated={(r) => {
          create.close();
          setRegistration(r);
          void queryClient.invalidateQueries({ queryKey: keys.distributionPoints });
        }}
      />
      <DpRegistrationModal registration={registration} onClose={() => setRegistration(null)} />
    </>
  );
}
