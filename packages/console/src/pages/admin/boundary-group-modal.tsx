import {
  ActionIcon,
  Button,
  Group,
  Modal,
  MultiSelect,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { IconPlus, IconX } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  WEEK_MINUTES,
  type BoundaryGroup,
  type BoundaryGroupNeighbour,
  type CreateBoundaryGroupRequest,
} from '@steward/protocol';
import { useState } from 'react';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { FormActions, missingFields } from '../../components/form-actions';
import { SaveErrorAlert } from '../../components/save-error-alert';
import { keys, useBoundaryGroups, useDistributionPoints } from '../software/queries';

/** Seed default: clients try a neighbour's DPs after failing locally for 120 minutes. */
const DEFAULT_FALLBACK_MINUTES = 120;

interface Props {
  opened: boolean;
  onClose: () => void;
  existing: BoundaryGroup | undefined;
}

export function BoundaryGroupModal(props: Props) {
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      size="lg"
      title={
        <Text fw={600}>
          {props.existing ? `Edit ${props.existing.name}` : 'New boundary group'}
        </Text>
      }
    >
      <BoundaryGroupForm {...props} />
    </Modal>
  );
}

function BoundaryGroupForm({ existing, onClose }: Props) {
  const queryClient = useQueryClient();
  const dps = useDistributionPoints();
  const groups = useBoundaryGroups();
  const [name, setName] = useState(existing?.name ?? '');
  const [description, setDescription] = useState(existing?.description ?? '');
  const [siteCode, setSiteCode] = useState(existing?.siteCode ?? '');
  const [dpIds, setDpIds] = useState<string[]>(existing?.dpIds ?? []);
  const [neighbours, setNeighbours] = useState<BoundaryGroupNeighbour[]>(
    existing?.neighbours ?? [],
  );
  const [slow, setSlow] = useState(existing?.slow ?? false);
  const save = useMutation({
    mutationFn: () => {
      const body: CreateBoundaryGroupRequest = {
        name: name.trim(),
        description: description.trim(),
        dpIds,
        neighbours: neighbours.filter((n) => n.boundaryGroupId),
        slow,
        ...(siteCode.trim() ? { siteCode: siteCode.trim().toUpperCase() } : {}),
      };
      return existing ? api.updateBoundaryGroup(existing.id, body) : api.createBoundaryGroup(body);
    },
    meta: { silent: true },
    onSuccess: (g) => {
      notifySuccess(`Boundary group ${g.name} saved.`);
      void queryClient.invalidateQueries({ queryKey: keys.boundaryGroups });
      void queryClient.invalidateQueries({ queryKey: keys.distributionPoints });
      onClose();
    },
  });
  const others = (groups.data ?? []).filter((g) => g.id !== existing?.id);
  return (
    <Stack gap="sm">
      <SimpleGrid cols={2}>
        <TextInput
          label="Name"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          data-testid="bg-name"
        />
        <TextInput
          label="Site code"
          description="Empty: this site"
          maxLength={3}
          value={siteCode}
          onChange={(e) => setSiteCode(e.currentTarget.value)}
        />
      </SimpleGrid>
      <Textarea
        label="Description"
        value={description}
        onChange={(e) => setDescription(e.currentTarget.value)}
        autosize
      />
      <MultiSelect
        label="Distribution points"
        description="The group's clients try these first"
        data={(dps.data ?? []).map((d) => ({
          value: d.id,
          label: `${d.name}${d.protected ? ' (protected)' : ''}`,
        }))}
        value={dpIds}
        onChange={setDpIds}
        searchable
        data-testid="bg-dps"
      />
      <Stack gap={6}>
        <Text size="sm" fw={500}>
          Neighbour groups
        </Text>
        <Text size="xs" c="dimmed">
          After failing with their own DPs for this long, clients may use a neighbour’s unprotected
          DPs.
        </Text>
        {neighbours.map((n, i) => (
          <Group key={i} gap="xs" wrap="nowrap">
            <Select
              size="xs"
              placeholder="Boundary group"
              data={others.map((g) => ({ value: g.id, label: g.name }))}
              value={n.boundaryGroupId || null}
              onChange={(v) =>
                setNeighbours((ns) =>
                  ns.map((x, j) => (j === i ? { ...x, boundaryGroupId: v ?? '' } : x)),
                )
              }
              style={{ flex: 1 }}
            />
            <NumberInput
              size="xs"
              w={190}
              prefix="after "
              suffix=" min"
              min={0}
              max={WEEK_MINUTES}
              value={n.fallbackAfterMinutes}
              onChange={(v) =>
                setNeighbours((ns) =>
                  ns.map((x, j) =>
                    j === i
                      ? { ...x, fallbackAfterMinutes: typeof v === 'number' ? Math.trunc(v) : 0 }
                      : x,
                  ),
                )
              }
            />
            <ActionIcon
              variant="subtle"
              color="gray"
              onClick={() => setNeighbours((ns) => ns.filter((_, j) => j !== i))}
              aria-label="Remove neighbour"
            >
              <IconX size={16} />
            </ActionIcon>
          </Group>
        ))}
        <Group>
          <Button
            size="xs"
            variant="subtle"
            leftSection={<IconPlus size={14} />}
            disabled={others.length === 0}
            onClick={() =>
              setNeighbours((ns) => [
                ...ns,
                { boundaryGroupId: '', fallbackAfterMinutes: DEFAULT_FALLBACK_MINUTES },
              ])
            }
          >
            Add neighbour
          </Button>
        </Group>
      </Stack>
      <Switch
        label="Slow or unreliable link"
        description="Deployments that do not allow it wait instead of downloading over this link"
        checked={slow}
        onChange={(e) => setSlow(e.currentTarget.checked)}
      />
      {save.isError && <SaveErrorAlert error={save.error} />}
      <FormActions
        onCancel={onClose}
        onSubmit={() => save.mutate()}
        submitLabel="Save"
        missing={missingFields({ Name: name.trim() !== '' })}
        loading={save.isPending}
        testId="bg-save"
      />
    </Stack>
  );
}
