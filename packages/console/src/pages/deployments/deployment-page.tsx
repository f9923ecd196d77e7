import { Anchor, Badge, Group, Paper, SimpleGrid, Skeleton, Tabs, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { DEPLOYMENT_STATES } from '@steward/protocol';
import type { Deployment, DeploymentStateName, DeploymentSummary } from '@steward/protocol';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { api } from '../../api/client';
import { isNotFound } from '../../api/errors';
import { ErrorState } from '../../components/error-state';
import { Fact } from '../../components/fact';
import { PageHeader } from '../../components/page-header';
import { TabPanelCard } from '../../components/page-tabs';
import { PercentBar } from '../../components/ratio-bar';
import { useSession } from '../../session/session-context';
import { NotFoundPage } from '../not-found-page';
import { ChartCard, StateCounts, StateTimelineChart } from './deployment-charts';
import { DeploymentActions } from './deployment-actions';
import { DeploymentDevices } from './deployment-devices';
import { PurposeBadge } from './deployment-table';
import { DeploymentSettings } from './deployment-settings';
import { IN_PROGRESS_STATES, countOf, dkeys } from './queries';

const LIVE_MS = 5_000;

function Stat(props: { label: string; value: ReactNode; testId: string }) {
  return (
    <Fact label={props.label}>
      <Text fz={20} fw={700} data-testid={props.testId} component="div">
        {props.value}
      </Text>
    </Fact>
  );
}

/**
 * The figures that matter for the deployment's purpose. A required deployment is judged by its
 * success rate and its overdue devices; an available one is an offer users may never take, so
 * it shows how many it was offered to and how many users installed it, and no rate or overdue.
 */
function SummaryStrip({
  s,
  purpose,
}: {
  s: DeploymentSummary | undefined;
  purpose: Deployment['purpose'] | undefined;
}) {
  if (!s || !purpose) return <Skeleton h={48} />;
  const inProgress = IN_PROGRESS_STATES.reduce((n, st) => n + countOf(s, st), 0);
  const installed = countOf(s, 'succeeded') + countOf(s, 'reboot-pending');
  if (purpose === 'available')
    return (
      <SimpleGrid cols={{ base: 2, md: 5 }}>
        <Stat label="Offered to" value={s.targeted.toLocaleString()} testId="summary-targeted" />
        <Stat
          label="Installed by users"
          value={installed.toLocaleString()}
          testId="summary-succeeded"
        />
        <Stat
          label="In progress"
          value={inProgress.toLocaleString()}
          testId="summary-in-progress"
        />
        <Stat
          label="Failed"
          value={countOf(s, 'failed').toLocaleString()}
          testId="summary-failed"
        />
        <Stat
          label="Not chosen yet"
          value={(countOf(s, 'targeted') + countOf(s, 'received')).toLocaleString()}
          testId="summary-not-chosen"
        />
      </SimpleGrid>
    );
  return (
    <SimpleGrid cols={{ base: 2, md: 6 }}>
      <Stat label="Targeted" value={s.targeted.toLocaleString()} testId="summary-targeted" />
      <Stat label="Succeeded" value={installed.toLocaleString()} testId="summary-succeeded" />
      <Stat label="In progress" value={inProgress.toLocaleString()} testId="summary-in-progress" />
      <Stat label="Failed" value={countOf(s, 'failed').toLocaleString()} testId="summary-failed" />
      <Stat label="Overdue" value={s.overdue.toLocaleString()} testId="summary-overdue" />
      <Fact label="Success">
        <PercentBar value={s.successPercent} testId="summary-success" />
      </Fact>
    </SimpleGrid>
  );
}

/** A deployment: live state chart, current counts, drill-down to devices, and its actions. */
export function DeploymentPage() {
  const { deploymentId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const { can } = useSession();
  const [selected, setSelected] = useState<string[]>([]);
  const state = DEPLOYMENT_STATES.find((s) => s === params.get('state')) ?? null;
  const setState = (s: DeploymentStateName | null) => {
    const next = new URLSearchParams(params);
    if (s) next.set('state', s);
    else next.delete('state');
    setParams(next, { replace: true });
  };
  const deployment = useQuery({
    queryKey: dkeys.deployment(deploymentId),
    queryFn: () => api.getDeployment(deploymentId),
    refetchInterval: 30_000,
  });
  const summary = useQuery({
    queryKey: dkeys.summary(deploymentId),
    queryFn: () => api.deploymentSummary(deploymentId),
    refetchInterval: LIVE_MS,
  });
  const timeline = useQuery({
    queryKey: dkeys.timeline(deploymentId),
    queryFn: () => api.deploymentTimeline(deploymentId),
    refetchInterval: LIVE_MS,
  });
  if (deployment.isError && isNotFound(deployment.error)) return <NotFoundPage />;
  if (deployment.isError && !deployment.data)
    return <ErrorState error={deployment.error} what="this deployment" />;
  const d = deployment.data;
  const s = summary.data ?? d?.summary;

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Deployments', to: '/deployments' }, { label: d?.name ?? '…' }]}
        title={
          d ? (
            <Group gap="xs" component="span">
              {d.name}
              <PurposeBadge purpose={d.purpose} />
              {!d.enabled && (
                <Badge color="gray" variant="outline" data-testid="deployment-disabled">
                  disabled
                </Badge>
              )}
            </Group>
          ) : (
            <Skeleton h={24} w={260} />
          )
        }
        testId="deployment-title"
        description={
          d && (
            <>
              <Anchor
                component={Link}
                to={`/software/packages/${encodeURIComponent(d.packageId)}?tab=programs`}
                size="sm"
              >
                {d.packageName} › {d.programName}
              </Anchor>{' '}
              to{' '}
              <Anchor
                component={Link}
                to={`/collections/${encodeURIComponent(d.collectionId)}`}
                size="sm"
              >
                {d.collectionName}
              </Anchor>
              {d.phasedDeploymentId && (
                <>
                  {' · '}
                  <Anchor
                    component={Link}
                    to={`/phased-deployments/${encodeURIComponent(d.phasedDeploymentId)}`}
                    size="sm"
                  >
                    phase of a phased deployment
                  </Anchor>
                </>
              )}
            </>
          )
        }
        actions={
          d &&
          can('deployments:write') && (
            <DeploymentActions d={d} selected={selected} onRerun={() => setSelected([])} />
          )
        }
      />
      <Paper p="md" mb="md">
        <Group justify="space-between" mb={6}>
          <Group gap={6}>
            <span className="steward-live-dot" data-paused={summary.isError ? 'true' : 'false'} />
            <Text size="xs" c="dimmed">
              Live · every {LIVE_MS / 1000} s
            </Text>
          </Group>
        </Group>
        <SummaryStrip s={s} purpose={d?.purpose} />
      </Paper>
      <SimpleGrid cols={{ base: 1, lg: 3 }} mb="md">
        <div style={{ gridColumn: 'span 2' }}>
          <ChartCard
            title="Device states over time"
            hint="How many devices were in each state"
            testId="deployment-timeline"
          >
            <StateTimelineChart points={timeline.data} />
          </ChartCard>
        </div>
        <ChartCard title="Now" hint="Click a state to list its devices" testId="deployment-counts">
          <StateCounts summary={s} purpose={d?.purpose} selected={state} onSelect={setState} />
        </ChartCard>
      </SimpleGrid>
      <Tabs defaultValue="devices" variant="outline" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="devices" data-testid="dtab-devices">
            Devices
          </Tabs.Tab>
          <Tabs.Tab value="settings" data-testid="dtab-settings">
            Schedule and settings
          </Tabs.Tab>
        </Tabs.List>
        <TabPanelCard>
          <Tabs.Panel value="devices">
            <DeploymentDevices
              deploymentId={deploymentId}
              state={state}
              onState={setState}
              selected={selected}
              onSelected={setSelected}
              canRerun={can('deployments:write')}
            />
          </Tabs.Panel>
          <Tabs.Panel value="settings">
            {d ? <DeploymentSettings d={d} /> : <Skeleton h={200} />}
          </Tabs.Panel>
        </TabPanelCard>
      </Tabs>
    </>
  );
}
