import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ops, type UpdateRule, type UpdateRulePatch } from '@steward/protocol';
import { api } from '../../../api/client';
import { notifySuccess } from '../../../api/errors';
import { UPDATE_KEYS } from '../update-labels';
import { UPDATE_DEPLOYMENTS_KEY } from '../deployments/update-deployment-labels';
import { RULE_KEYS } from './rule-labels';

export function useUpdateRules() {
  return useQuery({
    queryKey: [RULE_KEYS.rules],
    queryFn: () => api.call(ops.updateRules.listUpdateRules, {}),
  });
}

export function useUpdateRule(id: string) {
  return useQuery({
    queryKey: [RULE_KEYS.rules, id],
    queryFn: () => api.call(ops.updateRules.getUpdateRule, { params: { id } }),
    enabled: id !== '',
  });
}

/** Run now: the run is in the rule's history whatever its outcome; the lists refresh. */
export function useRunRule() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (rule: UpdateRule) =>
      api.call(ops.updateRules.runUpdateRule, { params: { id: rule.id } }),
    onSuccess: (run, rule) => {
      notifySuccess(
        run.outcome === 'failed'
          ? `“${rule.name}” ran and failed: ${run.error ?? ''}`
          : `“${rule.name}” ran: ${run.matched} matched, ${run.added} added.`,
      );
      for (const key of [RULE_KEYS.rules, UPDATE_KEYS.groups, UPDATE_DEPLOYMENTS_KEY])
        void queryClient.invalidateQueries({ queryKey: [key] });
    },
  });
}

/** A change of some fields (enable/disable from a list row, or the edit form). */
export function usePatchRule() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: string; patch: UpdateRulePatch }) =>
      api.call(ops.updateRules.updateUpdateRule, { params: { id: v.id }, body: v.patch }),
    onSuccess: (r) => {
      queryClient.setQueryData([RULE_KEYS.rules, r.id], r);
      void queryClient.invalidateQueries({ queryKey: [RULE_KEYS.rules] });
    },
  });
}
