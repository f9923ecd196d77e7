import { Modal, SegmentedControl, Select, Stack, Text, Textarea } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { ops } from '@steward/protocol';
import { useState } from 'react';
import type { SubmitEvent } from 'react';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { CollectionSelect } from '../../components/collection-select';
import { FormActions } from '../../components/form-actions';

/**
 * Starts a client push: to host names or addresses, to a collection (its devices), or, given `discovered`, to those discovered machines (the Discovery
 * page's "Push agent" on its selection).
 */
export function StartPushModal(props: {
  opened: boolean;
  onClose: () => void;
  onStarted: (id: string) => void;
  discovered?: readonly string[];
}) {
  const accounts = useQuery({
    queryKey: ['push-accounts'],
    queryFn: () => api.call(ops.clientPush.listAccounts, {}),
  });
  const [account, setAccount] = useState<string | null>(null);
  const [kind, setKind] = useState<'hosts' | 'collection'>('hosts');
  const [hosts, setHosts] = useState('');
  const [collection, setCollection] = useState<string | null>(null);
  const start = useMutation({
    mutationFn: () =>
      api.call(ops.clientPush.startJob, {
        body: {
          account: account ?? '',
          ...(props.discovered
            ? { discovered: { addresses: [...props.discovered] } }
            : kind === 'hosts'
              ? { hosts: hosts.split(/[\s,]+/).filter(Boolean) }
              : { collection: collection ?? '' }),
        },
      }),
    meta: { errorTitle: 'Could not start the push' },
    onSuccess: (job) => {
      notifySuccess(`Push started: ${job.total} targets.`);
      props.onStarted(job.id);
    },
  });
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    start.mutate();
  };
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={<Text fw={600}>Start a client push</Text>}
    >
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Select
            label="Push account"
            data={(accounts.data ?? []).map((a) => ({
              value: a.id,
              label: `${a.name} (${a.user})`,
            }))}
            value={account}
            onChange={setAccount}
            required
            data-testid="push-account-select"
          />
          {props.discovered ? (
            <Text size="sm" data-testid="push-discovered-targets">
              {props.discovered.length} discovered machine
              {props.discovered.length === 1 ? '' : 's'} (SSH on port 22):{' '}
              {props.discovered.slice(0, 8).join(', ')}
              {props.discovered.length > 8 ? ', …' : ''}
            </Text>
          ) : (
            <>
              <SegmentedControl
                value={kind}
                onChange={(v) => setKind(v === 'collection' ? 'collection' : 'hosts')}
                data={[
                  { value: 'hosts', label: 'Host names or addresses' },
                  { value: 'collection', label: 'A collection' },
                ]}
              />
              {kind === 'hosts' ? (
                <Textarea
                  label="Hosts"
                  description="One per line or comma-separated; host:port for another SSH port"
                  autosize
                  minRows={3}
                  value={hosts}
                  onChange={(e) => setHosts(e.currentTarget.value)}
                  data-testid="push-hosts"
                />
              ) : (
                <CollectionSelect value={collection} onChange={setCollection} label="Collection" />
              )}
            </>
          )}
          <FormActions
            onCancel={props.onClose}
            submitLabel="Start push"
            loading={start.isPending}
            testId="push-start-submit"
          />
        </Stack>
      </form>
    </Modal>
  );
}
