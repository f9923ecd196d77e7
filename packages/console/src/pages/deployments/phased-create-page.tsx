import {
  ActionIcon,
  Alert,
  Button,
  Divider,
  Group,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { IconArrowDown, IconPlus, IconX } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  DeploymentOptions,
  HaltOnFailurePercent,
  MAX_PHASES,
  PhaseSettings,
  integerLimits,
  settingsDefaults,
  type CreatePhasedDeploymentRequest,
  type DeploymentOptions as Options,
  type IntegerSetting,
} from '@steward/protocol';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api } from '../../api/client';
import { errorCode, errorMessage, notifySuccess } from '../../api/errors';
import { CollectionSelect } from '../../components/collection-select';
import { PageHeader } from '../../components/page-header';
import { usePrograms } from '../software/queries';
import { dkeys } from './queries';
import { SettingInput, SettingsFields } from '../../components/settings-fields';
import { FormActions, missingFields } from '../../components/form-actions';

interface PhaseDraft {
  key: number;
  collectionId: string | null;
  successPercent: number;
  soakMinutes: number;
}

let nextKey = 1;
const newPhase = (): PhaseDraft => ({
  key: nextKey++,
  collectionId: null,
  ...settingsDefaults(PhaseSettings),
});

/** A typed number within the declared setting's limits. */
function within(field: IntegerSetting, v: string | number): number {
  const { min, max } = integerLimits(field);
  const n = typeof v === 'number' ? Math.trunc(v) : min;
  return Math.min(max, Math.max(min, n));
}

/** New phased deployment: a program, phases over collections, thresholds, and run settings. */
export function PhasedCreatePage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const programs = usePrograms();
  const [name, setName] = useState('');
  const [programId, setProgramId] = useState<string | null>(null);
  const [phases, setPhases] = useState<PhaseDraft[]>([newPhase(), newPhase()]);
  const [haltAt, setHaltAt] = useState(HaltOnFailurePercent.default);
  // Every deployment option, as the wizard offers it (declared once in protocol).
  const [options, setOptions] = useState<Options>(settingsDefaults(DeploymentOptions));
  const create = useMutation({
    mutationFn: () => {
      const req: CreatePhasedDeploymentRequest = {
        name: name.trim(),
        programId: programId ?? '',
        phases: phases.map((p) => ({
          collectionId: p.collectionId ?? '',
          successPercent: p.successPercent,
          soakMinutes: p.soakMinutes,
        })),
        haltOnFailurePercent: haltAt,
        deployment: { triggers: [{ type: 'asap' }], ...options },
      };
      return api.createPhasedDeployment(req);
    },
    meta: { silent: true },
    onSuccess: (p) => {
      notifySuccess(`Phased deployment “${p.name}” started with phase 1.`);
      void queryClient.invalidateQueries({ queryKey: dkeys.phased });
      void queryClient.invalidateQueries({ queryKey: dkeys.deployments });
      void navigate(`/phased-deployments/${encodeURIComponent(p.id)}`);
    },
  });
  const code = create.isError ? errorCode(create.error) : '';
  const err = create.isError ? errorMessage(create.error) : undefined;
  const fieldErr = (match: boolean) => (match ? err : undefined);
  const placed =
    code.includes('NAME') ||
    code.startsWith('PROGRAM') ||
    code.includes('PHASE') ||
    code.startsWith('COLLECTION');
  const setPhase = (i: number, patch: Partial<PhaseDraft>) =>
    setPhases((ps) => ps.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  const missing = missingFields({
    Name: name.trim() !== '',
    Program: programId !== null,
    'A collection for every phase': phases.every((p) => p.collectionId),
  });

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Phased deployments', to: '/phased-deployments' }, { label: 'New' }]}
        title="New phased deployment"
        description="Each phase is a required deployment to one collection, run as soon as possible."
      />
      <Paper p="lg" maw={900}>
        <Stack gap="md">
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <TextInput
              label="Name"
              required
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={fieldErr(code.includes('NAME'))}
              data-testid="phased-name"
            />
            <Select
              label="Program"
              required
              data={(programs.data ?? []).map((p) => ({
                value: p.id,
                label: `${p.packageName} › ${p.name}`,
              }))}
              value={programId}
              onChange={setProgramId}
              searchable
              error={fieldErr(
                code.startsWith('PROGRAM') ||
                  code.startsWith('PACKAGE') ||
                  code.startsWith('CONTENT'),
              )}
              data-testid="phased-program"
            />
          </SimpleGrid>
          <Divider label="Phases" labelPosition="left" />
          {phases.map((p, i) => (
            <Stack key={p.key} gap={4}>
              {i > 0 && (
                <Group gap={6} c="dimmed">
                  <IconArrowDown size={14} />
                  <Text size="xs">
                    after {phases[i - 1]?.successPercent}% succeeded and{' '}
                    {phases[i - 1]?.soakMinutes} minutes
                  </Text>
                </Group>
              )}
              <Paper p="sm" withBorder data-testid="phase-draft">
                <Group align="flex-end" wrap="nowrap">
                  <Text fw={700} w={70}>
                    Phase {i + 1}
                  </Text>
                  <CollectionSelect
                    label="Collection"
                    value={p.collectionId}
                    onChange={(v) => setPhase(i, { collectionId: v })}
                    style={{ flex: 1 }}
                  />
                  <NumberInput
                    label={PhaseSettings.successPercent.label}
                    suffix={` ${PhaseSettings.successPercent.unit}`}
                    {...integerLimits(PhaseSettings.successPercent)}
                    w={140}
                    value={p.successPercent}
                    onChange={(v) =>
                      setPhase(i, { successPercent: within(PhaseSettings.successPercent, v) })
                    }
                  />
                  <NumberInput
                    label={PhaseSettings.soakMinutes.label}
                    suffix=" min"
                    {...integerLimits(PhaseSettings.soakMinutes)}
                    w={120}
                    value={p.soakMinutes}
                    onChange={(v) =>
                      setPhase(i, { soakMinutes: within(PhaseSettings.soakMinutes, v) })
                    }
                  />
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    mb={4}
                    disabled={phases.length === 1}
                    onClick={() => setPhases((ps) => ps.filter((_, j) => j !== i))}
                    aria-label="Remove phase"
                  >
                    <IconX size={16} />
                  </ActionIcon>
                </Group>
              </Paper>
            </Stack>
          ))}
          <Group>
            <Button
              variant="subtle"
              size="xs"
              leftSection={<IconPlus size={14} />}
              disabled={phases.length >= MAX_PHASES}
              onClick={() => setPhases((ps) => [...ps, newPhase()])}
            >
              Add phase
            </Button>
          </Group>
          {(code.includes('PHASE') || code.startsWith('COLLECTION')) && (
            <Text size="sm" c="red">
              {err}
            </Text>
          )}
          <SettingInput
            field={HaltOnFailurePercent}
            value={haltAt}
            onChange={(v) => setHaltAt(typeof v === 'number' ? v : HaltOnFailurePercent.default)}
            testId="phased-halt-at"
          />
          <Divider label="Run settings of every phase" labelPosition="left" />
          {/* Phases are required deployments run as soon as possible. */}
          <SettingsFields
            declaration={DeploymentOptions}
            values={options}
            onChange={(k, v) => setOptions((o) => ({ ...o, [k]: v }))}
            conditions={{ required: true }}
            testIdPrefix="phased"
          />
          {create.isError && !placed && (
            <Alert color="red" variant="light" title={`Not created: ${code}`}>
              {errorMessage(create.error)}
            </Alert>
          )}
          <FormActions
            onCancel={() => void navigate('/phased-deployments')}
            onSubmit={() => create.mutate()}
            submitLabel="Start rollout"
            loading={create.isPending}
            missing={missing}
            testId="phased-create"
          />
        </Stack>
      </Paper>
    </>
  );
}
