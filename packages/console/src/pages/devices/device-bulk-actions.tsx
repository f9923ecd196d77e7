import { useQueryClient } from '@tanstack/react-query';
import { bulkActionPermission } from '@steward/protocol';
import type { BulkDeviceAction, DeviceFilter } from '@steward/protocol';
import { api } from '../../api/client';
import { BulkActionBar, type BulkActionDef } from '../../components/bulk-action-bar';
import type { RowSelection } from '../../components/row-selection';
import { useSession } from '../../session/session-context';

/** The device bulk actions, in the bar's order (ADR 0031). */
export const DEVICE_BULK_ACTIONS: BulkActionDef<BulkDeviceAction>[] = [
  {
    id: 'collection:add',
    label: 'Add to collection',
    verb: 'Add',
    needsCollection: true,
    note: 'Each device becomes a direct member: one new revision of the collection.',
  },
  {
    id: 'collection:remove',
    label: 'Remove from collection',
    verb: 'Remove',
    needsCollection: true,
    note: 'Removes their direct-member rules; devices that are members by a query stay.',
  },
  { id: 'inventory:collect', label: 'Collect inventory', verb: 'Collect inventory on' },
  { id: 'policy:fetch', label: 'Fetch policy', verb: 'Fetch policy on' },
  { id: 'deployments:evaluate', label: 'Evaluate deployments', verb: 'Evaluate deployments on' },
  {
    id: 'revoke',
    label: 'Revoke',
    verb: 'Revoke',
    danger: true,
    note: 'Their keys stop working: each must enrol again. This cannot be undone.',
  },
];

/**
 * The bulk bar of a device list (the device list, a collection's members): the actions above,
 * sent in one request with the selection (ids, or the list's filter) and the confirmed count.
 */
export function DeviceBulkBar(props: {
  selection: RowSelection<DeviceFilter>;
  actions?: BulkActionDef<BulkDeviceAction>[];
  /** A collection the collection actions act on without asking (a collection's members tab). */
  fixedCollection?: string;
}) {
  const queryClient = useQueryClient();
  const { can } = useSession();
  // Only what this administrator may do (the site checks again).
  const allowed = (props.actions ?? DEVICE_BULK_ACTIONS).filter((a) =>
    can(bulkActionPermission(a.id)),
  );
  const actions = allowed.map((a) =>
    props.fixedCollection !== undefined && a.id === 'collection:remove'
      ? { ...a, label: 'Remove from this collection', needsCollection: false }
      : a,
  );
  return (
    <BulkActionBar
      selection={props.selection}
      noun="devices"
      actions={actions}
      run={(action, o) => {
        const selection = props.selection.selection;
        if (!selection) return Promise.reject(new Error('nothing is selected'));
        const collection =
          action === 'collection:remove' && props.fixedCollection !== undefined
            ? props.fixedCollection
            : o.collection;
        return api.bulkDeviceAction({
          selection,
          action,
          expectedCount: o.expectedCount,
          ...(collection !== undefined ? { collection } : {}),
        });
      }}
      onDone={() => {
        void queryClient.invalidateQueries({ queryKey: ['devices'] });
        void queryClient.invalidateQueries({ queryKey: ['collection'] });
        void queryClient.invalidateQueries({ queryKey: ['collections'] });
      }}
    />
  );
}
