import { useQuery, useQueryClient } from '@tanstack/react-query';
import { bulkDiscoveredPermission, ops } from '@steward/protocol';
import type { BulkDiscoveredAction, DiscoveredFilter } from '@steward/protocol';
import { api } from '../../api/client';
import { BulkActionBar, type BulkActionDef } from '../../components/bulk-action-bar';
import type { RowSelection } from '../../components/row-selection';
import { useSession } from '../../session/session-context';

/**
 * The bulk bar of the discovered-machines list (ADR 0040): the device list's selection, bar,
 * confirmation and summary, with the actions that make sense for a machine without an agent.
 */
export function DiscoveredBulkBar(props: {
  selection: RowSelection<DiscoveredFilter>;
  onDone: () => void;
}) {
  const queryClient = useQueryClient();
  const { can } = useSession();
  const canPush = can('enrolment:write');
  const accounts = useQuery({
    queryKey: ['push-accounts'],
    queryFn: () => api.call(ops.clientPush.listAccounts, {}),
    enabled: canPush,
  });
  const all: BulkActionDef<BulkDiscoveredAction>[] = [
    {
      id: 'push',
      label: 'Push agent',
      verb: 'Push the agent to',
      note: 'One push job over SSH (port 22); machines that have an agent already are skipped.',
      choose: {
        label: 'Push account',
        placeholder: 'Choose a push account',
        options: (accounts.data ?? []).map((a) => ({
          value: a.id,
          label: `${a.name} (${a.user})`,
        })),
        testId: 'bulk-push-account',
      },
    },
    {
      id: 'collection:add',
      label: 'Add to collection',
      verb: 'Add',
      needsCollection: true,
      note: 'They become discovered members of the collection (client push to it reaches them).',
    },
    {
      id: 'forget',
      label: 'Forget',
      verb: 'Forget',
      danger: true,
      note: 'Their discovered records go (and their inclusion in collections); a later sweep finds them again if they still answer.',
    },
  ];
  return (
    <BulkActionBar
      selection={props.selection}
      noun="machines"
      actions={all.filter((a) => can(bulkDiscoveredPermission(a.id)))}
      testId="discovered-bulk-bar"
      run={async (action, o) => {
        const selection = props.selection.selection;
        if (!selection) throw new Error('nothing is selected');
        const r = await api.call(ops.discovery.bulkAction, {
          body: {
            selection,
            action,
            expectedCount: o.expectedCount,
            ...(o.collection !== undefined ? { collection: o.collection } : {}),
            ...(o.choice !== undefined ? { account: o.choice } : {}),
          },
        });
        return r.pushJobId === undefined
          ? r
          : { ...r, follow: { to: '/monitoring/client-push', label: 'Follow the push job' } };
      }}
      onDone={() => {
        void queryClient.invalidateQueries({ queryKey: ['discovery-machines'] });
        void queryClient.invalidateQueries({ queryKey: ['collection'] });
        props.onDone();
      }}
    />
  );
}
