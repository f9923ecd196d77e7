import { Alert, Modal, MultiSelect, Stack, Text } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Package, PackageContentStatus } from '@steward/protocol';
import { useState } from 'react';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { keys, useDistributionPoints, useDpGroups } from './queries';
import { FormActions, missingFields } from '../../components/form-actions';

interface Props {
  pkg: Package;
  status: PackageContentStatus | undefined;
  opened: boolean;
  onClose: () => void;
}

/** Distribute a package's current version to DPs and/or every current member of DP groups. */
export function DistributeModal(props: Props) {
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={<Text fw={600}>Distribute {props.pkg.name}</Text>}
      size="lg"
    >
      <DistributeForm {...props} />
    </Modal>
  );
}

function DistributeForm({ pkg, status, onClose }: Props) {
  const queryClient = useQueryClient();
  const dps = useDistributionPoints();
  const groups = useDpGroups();
  const [dpIds, setDpIds] = useState<string[]>([]);
  const [groupIds, setGroupIds] = useState<string[]>([]);
  const already = new Set((status?.distributionPoints ?? []).map((r) => r.dpId));
  const distribute = useMutation({
    mutationFn: () => api.distributePackage(pkg.id, { dpIds, dpGroupIds: groupIds }),
    onSuccess: (s) => {
      notifySuccess(`${pkg.name} is targeted to ${s.targeted} distribution points.`);
      queryClient.setQueryData(keys.contentStatus(pkg.id), s);
      void queryClient.invalidateQueries({ queryKey: keys.package(pkg.id) });
      void queryClient.invalidateQueries({ queryKey: keys.packages });
      void queryClient.invalidateQueries({ queryKey: keys.distributionPoints });
      void queryClient.invalidateQueries({ queryKey: keys.dpGroups });
      onClose();
    },
  });
  const dpOptions = (dps.data ?? []).map((d) => ({
    value: d.id,
    label: `${d.name}${d.isSiteServer ? ' (site server)' : ''}${already.has(d.id) ? ' · already targeted' : ''}`,
  }));
  const groupOptions = (groups.data ?? []).map((g) => ({
    value: g.id,
    label: `${g.name} (${g.memberIds.length} members)`,
  }));
  return (
    <Stack gap="sm">
      {pkg.currentVersion === null && (
        <Alert color="yellow" variant="light" icon={<IconInfoCircle size={18} />}>
          The package has no content yet. Upload it first under Content versions.
        </Alert>
      )}
      <MultiSelect
        label="Distribution points"
        data={dpOptions}
        value={dpIds}
        onChange={setDpIds}
        searchable
        clearable
        placeholder={dpIds.length === 0 ? 'Pick distribution points' : undefined}
        data-testid="distribute-dps"
        comboboxProps={{ withinPortal: true }}
      />
      <MultiSelect
        label="Distribution point groups"
        description="Every member now; DPs added to a group later do not get it until you distribute to new members."
        data={groupOptions}
        value={groupIds}
        onChange={setGroupIds}
        searchable
        clearable
        placeholder={groupIds.length === 0 ? 'Pick groups' : undefined}
        data-testid="distribute-groups"
      />
      <FormActions
        onCancel={onClose}
        onSubmit={() => distribute.mutate()}
        submitLabel="Distribute"
        loading={distribute.isPending}
        disabled={pkg.currentVersion === null}
        missing={missingFields({
          'A distribution point or group': dpIds.length > 0 || groupIds.length > 0,
        })}
        testId="distribute-submit"
        mt="sm"
      />
    </Stack>
  );
}
