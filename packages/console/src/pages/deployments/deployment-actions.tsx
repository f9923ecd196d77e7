import { Button, Menu, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconCalendarPlus,
  IconChevronDown,
  IconPlayerPause,
  IconPlayerPlay,
  IconRefresh,
  IconTrash,
} from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Deployment } from '@steward/protocol';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api } from '../../api/client';
import { errorCode, errorMessage, notifySuccess } from '../../api/errors';
import { ConfirmButton, ConfirmDialog } from '../../components/confirm-button';
import { dkeys } from './queries';
import { FormActions } from '../../components/form-actions';

function useRefresh(id: string) {
  const queryClient = useQueryClient();
  return (d?: Deployment) => {
    if (d) queryClient.setQueryData(dkeys.deployment(id), d);
    void queryClient.invalidateQueries({ queryKey: dkeys.deployment(id) });
    void queryClient.invalidateQueries({ queryKey: dkeys.deployments });
  };
}

function AddAssignmentModal(props: { d: Deployment; opened: boolean; onClose: () => void }) {
  const refresh = useRefresh(props.d.id);
  const [at, setAt] = useState('');
  const add = useMutation({
    mutationFn: () => api.addExtraAssignment(props.d.id, at),
    meta: { silent: true },
    onSuccess: (d) => {
      notifySuccess(`Extra run at ${at.replace('T', ' ')} added.`);
      refresh(d);
      props.onClose();
    },
  });
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={<Text fw={600}>Add an assignment</Text>}
    >
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          A single extra run of this deployment, in{' '}
          {props.d.timeBase === 'utc' ? 'UTC' : 'each client’s local time'}.
        </Text>
        <TextInput
          type="datetime-local"
          label="Run at"
          value={at}
          onChange={(e) => setAt(e.currentTarget.value)}
          error={add.isError ? `${errorCode(add.error)}: ${errorMessage(add.error)}` : undefined}
          data-testid="assignment-at"
        />
        <FormActions
          onCancel={props.onClose}
          onSubmit={() => add.mutate()}
          submitLabel="Add"
          loading={add.isPending}
          disabled={!at}
          testId="assignment-save"
        />
      </Stack>
    </Modal>
  );
}

/** Rerun (all or selected devices), add an assignment, enable/disable, delete. */
export function DeploymentActions(props: {
  d: Deployment;
  selected: string[];
  onRerun: () => void;
}) {
  const { d } = props;
  const navigate = useNavigate();
  const refresh = useRefresh(d.id);
  const [assignOpened, assign] = useDisclosure(false);
  const [rerunTarget, setRerunTarget] = useState<'all' | 'selected' | null>(null);
  const rerun = useMutation({
    mutationFn: (deviceIds?: string[]) => api.rerunDeployment(d.id, deviceIds),
    onSuccess: (r, deviceIds) => {
      notifySuccess(
        deviceIds
          ? `Rerun requested on ${deviceIds.length} devices (revision of those devices raised).`
          : `Rerun requested on every device: revision ${r.revision}.`,
      );
      refresh(r);
      props.onRerun();
    },
  });
  const toggle = useMutation({
    mutationFn: () => api.updateDeployment(d.id, { enabled: !d.enabled }),
    onSuccess: (r) => {
      notifySuccess(
        r.enabled ? 'Deployment enabled.' : 'Deployment disabled: it is no longer offered or run.',
      );
      refresh(r);
    },
  });
  const remove = useMutation({
    mutationFn: () => api.deleteDeployment(d.id),
    onSuccess: () => {
      notifySuccess(`Deployment “${d.name}” deleted.`);
      refresh();
      void navigate('/deployments');
    },
  });
  return (
    <>
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <Button
            variant="default"
            leftSection={<IconRefresh size={16} />}
            rightSection={<IconChevronDown size={14} />}
            data-testid="deployment-rerun"
          >
            Rerun
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item onClick={() => setRerunTarget('all')} data-testid="rerun-all">
            On every device
          </Menu.Item>
          <Menu.Item
            disabled={props.selected.length === 0}
            onClick={() => setRerunTarget('selected')}
            data-testid="rerun-selected"
          >
            On {props.selected.length} selected device{props.selected.length === 1 ? '' : 's'}
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <ConfirmDialog
        opened={rerunTarget !== null}
        onClose={() => setRerunTarget(null)}
        title="Rerun this deployment?"
        message={`${
          rerunTarget === 'selected'
            ? `The ${props.selected.length} selected devices`
            : 'Every targeted device'
        } run the program again once, according to the rerun behaviour (${d.rerun}).`}
        confirmLabel="Rerun"
        danger={false}
        loading={rerun.isPending}
        onConfirm={() => rerun.mutateAsync(rerunTarget === 'selected' ? props.selected : undefined)}
        testId="rerun"
      />
      <Button
        variant="default"
        leftSection={<IconCalendarPlus size={16} />}
        onClick={assign.open}
        data-testid="deployment-add-assignment"
      >
        Add assignment
      </Button>
      <ConfirmButton
        variant="default"
        leftSection={d.enabled ? <IconPlayerPause size={16} /> : <IconPlayerPlay size={16} />}
        title={d.enabled ? 'Disable this deployment?' : 'Enable this deployment?'}
        message={
          d.enabled
            ? 'Devices stop offering and running it; runs in progress finish. Enable it again to resume.'
            : 'Devices receive it again and run it on its schedules.'
        }
        confirmLabel={d.enabled ? 'Disable' : 'Enable'}
        danger={d.enabled}
        loading={toggle.isPending}
        onConfirm={() => toggle.mutateAsync()}
        testId="deployment-toggle"
      >
        {d.enabled ? 'Disable' : 'Enable'}
      </ConfirmButton>
      <ConfirmButton
        variant="light"
        color="red"
        leftSection={<IconTrash size={16} />}
        title={`Delete ${d.name}?`}
        message="The deployment and its per-device states are deleted; devices stop offering or running it."
        confirmLabel="Delete"
        loading={remove.isPending}
        onConfirm={() => remove.mutateAsync()}
        testId="deployment-delete"
      >
        Delete
      </ConfirmButton>
      <AddAssignmentModal
        key={String(assignOpened)}
        d={d}
        opened={assignOpened}
        onClose={assign.close}
      />
    </>
  );
}
