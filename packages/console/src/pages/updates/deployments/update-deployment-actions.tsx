import { Button, Group } from '@mantine/core';
import { IconPlayerPause, IconPlayerPlay, IconRefresh } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ops, type UpdateDeployment, type UpdateDeploymentPatch } from '@steward/protocol';
import { useNavigate } from 'react-router-dom';
import { api } from '../../../api/client';
import { notifySuccess } from '../../../api/errors';
import { ConfirmButton } from '../../../components/confirm-button';
import { DeleteIconButton } from '../../../components/delete-icon-button';
import { useSession } from '../../../session/session-context';
import { UPDATE_DEPLOYMENTS_KEY } from './update-deployment-labels';

/**
 * The failed-rollout actions of an update deployment (issue 10): disable at once / enable,
 * redeploy to the failed devices only, rehearsal then for real, roll back (allow downgrades),
 * delete. Each changes the update deployment; the software deployment it owns follows.
 */
export function UpdateDeploymentActions({ d }: { d: UpdateDeployment }) {
  const { can } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: [UPDATE_DEPLOYMENTS_KEY] });
  const patch = useMutation({
    mutationFn: (body: UpdateDeploymentPatch) =>
      api.call(ops.updateDeployments.updateUpdateDeployment, { params: { id: d.id }, body }),
    meta: { errorTitle: 'Deployment not changed' },
    onSuccess: refresh,
  });
  const redeploy = useMutation({
    mutationFn: () => api.call(ops.updateDeployments.redeployFailed, { params: { id: d.id } }),
    meta: { errorTitle: 'Not redeployed' },
    onSuccess: (r) => {
      notifySuccess(
        r.devices === 0
          ? 'No device has failed: nothing to redeploy.'
          : `${r.devices.toLocaleString()} failed devices scan and install again.`,
      );
      refresh();
    },
  });
  const del = useMutation({
    mutationFn: () =>
      api.call(ops.updateDeployments.deleteUpdateDeployment, { params: { id: d.id } }),
    onSuccess: () => {
      refresh();
      void navigate('/software/updates?tab=deployments');
    },
  });
  if (!can('deployments:write')) return null;
  return (
    <Group gap="xs">
      {d.enabled ? (
        <Button
          variant="default"
          color="red"
          leftSection={<IconPlayerPause size={16} />}
          loading={patch.isPending && patch.variables.enabled === false}
          onClick={() => patch.mutate({ enabled: false })}
          data-testid="update-deployment-disable"
        >
          Disable
        </Button>
      ) : (
        <Button
          variant="default"
          leftSection={<IconPlayerPlay size={16} />}
          loading={patch.isPending && patch.variables.enabled === true}
          onClick={() => patch.mutate({ enabled: true })}
          data-testid="update-deployment-enable"
        >
          Enable
        </Button>
      )}
      {d.rehearsal && (
        <ConfirmButton
          variant="default"
          title="Install for real"
          message="Every device runs again and installs the updates (the rehearsal showed what would change)."
          confirmLabel="Install"
          danger={false}
          loading={patch.isPending}
          onConfirm={() => patch.mutateAsync({ rehearsal: false })}
          testId="update-deployment-for-real"
        >
          Install for real
        </ConfirmButton>
      )}
      <Button
        variant="default"
        leftSection={<IconRefresh size={16} />}
        loading={redeploy.isPending}
        onClick={() => redeploy.mutate()}
        data-testid="update-deployment-redeploy"
      >
        Redeploy failed
      </Button>
      {!d.allowDowngrades && (
        <ConfirmButton
          variant="default"
          title="Roll back"
          message="Devices install the deployed versions even where a newer one is installed (apt --allow-downgrades). Use it with a group holding the previous versions."
          confirmLabel="Roll back"
          loading={patch.isPending}
          onConfirm={() => patch.mutateAsync({ allowDowngrades: true })}
          testId="update-deployment-rollback"
        >
          Roll back
        </ConfirmButton>
      )}
      <DeleteIconButton
        name={d.name}
        message="The deployment stops; what it installed stays installed."
        loading={del.isPending}
        onConfirm={() => del.mutateAsync()}
        testId="update-deployment-delete"
      />
    </Group>
  );
}
