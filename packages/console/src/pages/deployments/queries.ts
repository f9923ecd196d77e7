import { useQuery } from '@tanstack/react-query';
import type { DeploymentSummary } from '@steward/protocol';
import { api } from '../../api/client';

export const dkeys = {
  deployments: ['deployments'] as const,
  list: (filter: DeploymentFilter) => ['deployments', 'list', filter] as const,
  deployment: (id: string) => ['deployment', id] as const,
  summary: (id: string) => ['deployment', id, 'summary'] as const,
  timeline: (id: string) => ['deployment', id, 'timeline'] as const,
  devices: (id: string, q: object) => ['deployment', id, 'devices', q] as const,
  summaries: ['deployments', 'summaries'] as const,
  phased: ['phased-deployments'] as const,
  phasedOne: (id: string) => ['phased-deployments', id] as const,
  windows: (collectionId: string) => ['maintenance-windows', collectionId] as const,
  deviceDeployments: (deviceId: string) => ['device', deviceId, 'deployments'] as const,
};

export interface DeploymentFilter {
  program?: string;
  collection?: string;
  package?: string;
}

export function useDeployments(filter: DeploymentFilter = {}, refetchInterval?: number) {
  return useQuery({
    queryKey: dkeys.list(filter),
    queryFn: () => api.listDeployments(filter),
    refetchInterval,
  });
}

/**
 * Every deployment's counts, from the summary report (the Reports page shows it as it comes).
 * One query key for the one request, so the list and the report share the cache.
 */
export function useDeploymentSummaryReport(refetchInterval?: number) {
  return useQuery({
    queryKey: dkeys.summaries,
    queryFn: () => api.reportDeploymentSummary(),
    refetchInterval,
  });
}

/** The summary report by deployment id: the list joins it when a deployment comes without its `summary`. */
export function useDeploymentSummaries(refetchInterval?: number) {
  return useQuery({
    queryKey: dkeys.summaries,
    queryFn: () => api.reportDeploymentSummary(),
    select: (rows) => new Map<string, DeploymentSummary>(rows.map((r) => [r.deploymentId, r])),
    refetchInterval,
  });
}

/** Devices still moving toward an outcome (for "in progress" counts). */
export const IN_PROGRESS_STATES = [
  'received',
  'waiting-content',
  'waiting-window',
  'running',
] as const;

export function countOf(s: DeploymentSummary | undefined, state: string): number {
  return s?.counts[state] ?? 0;
}
