import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Modal,
  Paper,
  Skeleton,
  Stack,
  Text,
  TextInput,
  Timeline,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconAlertOctagon,
  IconCheck,
  IconClock,
  IconHandStop,
  IconHourglass,
  IconPlayerPlay,
  IconPlayerStop,
} from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Phase, PhasedDeployment } from '@steward/protocol';
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api } from '../../api/client';
import { isNotFound, notifySuccess } from '../../api/errors';
import { ConfirmButton } from '../../components/confirm-button';
import { ErrorState } from '../../components/error-state';
import { PageHeader } from '../../components/page-header';
import { PercentBar } from '../../components/ratio-bar';
import { RelativeTime } from '../../components/relative-time';
import { useSession } from '../../session/session-context';
import { NotFoundPage } from '../not-found-page';
import { PhasedStateBadge } from './phased-list-page';
import { countOf, dkeys } from './queries';
import { FormActions } from '../../components/form-actions';

const PHASE_COLOR: Record<Phase['state'], string> = {
  waiting: 'gray',
  running: 'blue',
  soaking: 'violet',
  completed: 'teal',
  halted: 'red',
};

function PhaseIcon({ state }: { state: Phase['state'] }) {
  switch (state) {
    case 'waiting':
      return <IconClock size={14} />;
    case 'running':
      return <IconPlayerPlay size={14} />;
    case 'soaking':
      return <IconHourglass size={14} />;
    case 'completed':
      return <IconCheck size={14} />;
    case 'halted':
      return <IconHandStop size={14} />;
  }
}

/** Programs are shown on their package's page. */
export function programPath(p: { packageId: string }): string {
  return `/software/packages/${encodeURIComponent(p.packageId)}?tab=programs`;
}

function PhaseItem({ phase, haltAt, last }: { phase: Phase; haltAt: number; last: boolean }) {
  const s = phase.summary;
  return (
    <Stack gap={4} data-testid="phase" data-state={phase.state}>
      <Group gap={8}>
        <Text fw={600} size="sm">
          Phase {phase.index + 1}:{' '}
          <Anchor
            component={Link}
            to={`/collections/${encodeURIComponent(phase.collectionId)}`}
            inherit
            data-testid="phase-collection"
          >
            {phase.collectionName}
          </Anchor>
        </Text>
        <Badge size="sm" variant="light" color={PHASE_COLOR[phase.state]}>
          {phase.state}
        </Badge>
        {phase.deploymentId && (
          <Anchor
            component={Link}
            to={`/deployments/${encodeURIComponent(phase.deploymentId)}`}
            size="xs"
          >
            open deployment
          </Anchor>
        )}
      </Group>
      <Text size="xs" c="dimmed" data-testid="phase-rule">
        {last
          ? `Last phase: the rollout completes at ${phase.successPercent}% succeeded and ${phase.soakMinutes} minutes of soak`
          : `Next phase after ${phase.successPercent}% succeeded and ${phase.soakMinutes} minutes of soak`}{' '}
        · halts at {haltAt}% failed
      </Text>
      {s && (
        <Group gap="md" wrap="nowrap" maw={520}>
          <PercentBar value={s.successPercent} w={220} />
          <Text size="xs">
            {countOf(s, 'succeeded')} succeeded · {countOf(s, 'failed')} failed · {s.targeted}{' '}
            targeted
          </Text>
        </Group>
      )}
      <Text size="xs" c="dimmed">
        {phase.startedAt && (
          <>
            started <RelativeTime iso={phase.startedAt} size="xs" />
          </>
        )}
        {phase.thresholdReachedAt && (
          <>
            {' · threshold reached '}
            <RelativeTime iso={phase.thresholdReachedAt} size="xs" />
          </>
        )}
        {phase.completedAt && (
          <>
            {' · completed '}
            <RelativeTime iso={phase.completedAt} size="xs" />
          </>
        )}
      </Text>
    </Stack>
  );
}

function HaltModal(props: { p: PhasedDeployment; opened: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const halt = useMutation({
    mutationFn: () => api.haltPhasedDeployment(props.p.id, reason.trim() || undefined),
    onSuccess: (r) => {
      notifySuccess('Rollout halted: no further phase starts until you resume it.');
      queryClient.setQueryData(dkeys.phasedOne(props.p.id), r);
      void queryClient.invalidateQueries({ queryKey: dkeys.phased });
      props.onClose();
    },
  });
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={<Text fw={600}>Halt {props.p.name}?</Text>}
    >
      <Stack gap="sm">
        <Text size="sm">
          The current phase’s deployment is disabled and no further phase starts until the rollout
          is resumed.
        </Text>
        <TextInput
          label="Reason"
          placeholder="Shown as the halt reason"
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          maxLength={1000}
          data-testid="halt-reason"
        />
        <FormActions
          onCancel={props.onClose}
          onSubmit={() => halt.mutate()}
          submitLabel="Halt"
          loading={halt.isPending}
          color="red"
          testId="halt-confirm"
        />
      </Stack>
    </Modal>
  );
}

/** A phased deployment: the phases as a timeline, the halt reason, Halt / Resume. */
export function PhasedPage() {
  const { phasedId = '' } = useParams();
  const { can } = useSession();
  const queryClient = useQueryClient();
  const [haltOpened, halt] = useDisclosure(false);
  const phased = useQuery({
    queryKey: dkeys.phasedOne(phasedId),
    queryFn: () => api.getPhasedDeployment(phasedId),
    refetchInterval: 5_000,
  });
  const resume = useMutation({
    mutationFn: () => api.resumePhasedDeployment(phasedId),
    onSuccess: (r) => {
      notifySuccess('Rollout resumed.');
      queryClient.setQueryData(dkeys.phasedOne(phasedId), r);
      void queryClient.invalidateQueries({ queryKey: dkeys.phased });
    },
  });
  if (phased.isError && isNotFound(phased.error)) return <NotFoundPage />;
  if (phased.isError && !phased.data)
    return <ErrorState error={phased.error} what="this phased deployment" />;
  const p = phased.data;
  const writable = can('deployments:write');
  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Phased deployments', to: '/phased-deployments' },
          { label: p?.name ?? '…' },
        ]}
        title={
          p ? (
            <Group gap="xs" component="span">
              {p.name}
              <PhasedStateBadge state={p.state} />
            </Group>
          ) : (
            <Skeleton h={24} w={240} />
          )
        }
        description={
          p && (
            <>
              Program{' '}
              <Anchor component={Link} to={programPath(p)} inherit data-testid="phased-program">
                {p.programName}
              </Anchor>{' '}
              · halts by itself when a phase passes {p.haltOnFailurePercent}% failed
            </>
          )
        }
        actions={
          writable &&
          p && (
            <>
              {p.state === 'running' && (
                <Button
                  color="red"
                  variant="light"
                  leftSection={<IconPlayerStop size={16} />}
                  onClick={halt.open}
                  data-testid="phased-halt"
                >
                  Halt
                </Button>
              )}
              {p.state === 'halted' && (
                <ConfirmButton
                  leftSection={<IconPlayerPlay size={16} />}
                  title="Resume the rollout?"
                  message="The current phase runs again and later phases start when its thresholds are met."
                  confirmLabel="Resume"
                  danger={false}
                  loading={resume.isPending}
                  onConfirm={() => resume.mutateAsync()}
                  testId="phased-resume"
                >
                  Resume
                </ConfirmButton>
              )}
            </>
          )
        }
      />
      {p?.state === 'halted' && (
        <Alert
          color="red"
          variant="filled"
          icon={<IconAlertOctagon size={20} />}
          title="Rollout halted"
          mb="md"
          data-testid="halt-reason-banner"
        >
          {p.haltReason ?? 'No reason recorded.'}
        </Alert>
      )}
      <Paper p="lg">
        {!p ? (
          <Skeleton h={240} />
        ) : (
          <Timeline
            active={p.phases.reduce((a, ph, i) => (ph.state === 'waiting' ? a : i), -1)}
            bulletSize={26}
            lineWidth={2}
            data-testid="phase-timeline"
          >
            {p.phases.map((ph) => (
              <Timeline.Item
                key={ph.index}
                bullet={<PhaseIcon state={ph.state} />}
                color={PHASE_COLOR[ph.state]}
              >
                <PhaseItem
                  phase={ph}
                  haltAt={p.haltOnFailurePercent}
                  last={ph.index === p.phases.length - 1}
                />
              </Timeline.Item>
            ))}
          </Timeline>
        )}
      </Paper>
      {p && <HaltModal key={String(haltOpened)} p={p} opened={haltOpened} onClose={halt.close} />}
    </>
  );
}
