import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';

/**
 * Query keys of the software library and distribution. Mutations invalidate by prefix, e.g.
 * `['package', id]` refreshes the package, its versions, programs and content status together.
 */
export const keys = {
  packages: ['packages'] as const,
  package: (id: string) => ['package', id] as const,
  versions: (id: string) => ['package', id, 'versions'] as const,
  versionFiles: (id: string, n: number) => ['package', id, 'versions', n, 'files'] as const,
  contentStatus: (id: string) => ['package', id, 'content-status'] as const,
  programs: (packageId?: string) => ['programs', packageId ?? 'all'] as const,
  library: ['content-library'] as const,
  distributionPoints: ['distribution-points'] as const,
  dpContent: (id: string) => ['distribution-points', id, 'content'] as const,
  dpGroups: ['dp-groups'] as const,
  boundaries: ['boundaries'] as const,
  boundaryGroups: ['boundary-groups'] as const,
};

export function usePackages() {
  return useQuery({ queryKey: keys.packages, queryFn: () => api.listPackages() });
}

export function usePrograms(packageId?: string) {
  return useQuery({
    queryKey: keys.programs(packageId),
    queryFn: () => api.listPrograms(packageId),
  });
}

export function useContentLibrary() {
  return useQuery({ queryKey: keys.library, queryFn: () => api.contentLibrary() });
}

export function useDistributionPoints(refetchInterval?: number) {
  return useQuery({
    queryKey: keys.distributionPoints,
    queryFn: () => api.listDistributionPoints(),
    refetchInterval,
  });
}

export function useDpGroups() {
  return useQuery({ queryKey: keys.dpGroups, queryFn: () => api.listDpGroups() });
}

export function useBoundaries() {
  return useQuery({ queryKey: keys.boundaries, queryFn: () => api.listBoundaries() });
}

export function useBoundaryGroups() {
  return useQuery({ queryKey: keys.boundaryGroups, queryFn: () => api.listBoundaryGroups() });
}
