import { Accordion, Badge, Group, Stack, Text } from '@mantine/core';
import { IconArrowBackUp, IconGitCommit } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Collection, CollectionRevision } from '@steward/protocol';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { ConfirmButton } from '../../components/confirm-button';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { RelativeTime } from '../../components/relative-time';
import { BlockSkeleton } from '../../components/table-skeleton';
import { formatDateTime } from '../../lib/format';
import { useSession } from '../../session/session-context';
import { describeRules } from './collection-form';
import { CollectionRulesView } from './collection-rules-view';

function changes(rev: CollectionRevision, prev: CollectionRevision | undefined): string[] {
  if (!prev) return ['created'];
  const out: string[] = [];
  const a = rev.definition;
  const b = prev.definition;
  if (a.name !== b.name) out.push('name');
  if ((a.description ?? '') !== (b.description ?? '')) out.push('description');
  if ((a.limitingCollectionId ?? null) !== (b.limitingCollectionId ?? null))
    out.push('limiting collection');
  if (JSON.stringify(a.rules) !== JSON.stringify(b.rules)) out.push('rules');
  if (a.evaluationIntervalMinutes !== b.evaluationIntervalMinutes) out.push('schedule');
  return out.length ? out : ['no change'];
}

/** Every saved definition, newest first; any older one can be restored (walking a rollout back). */
export function CollectionRevisionsTab({ collection }: { collection: Collection }) {
  const queryClient = useQueryClient();
  const { can } = useSession();
  const revisions = useQuery({
    queryKey: ['collection', collection.id, 'revisions', collection.revision],
    queryFn: () => api.collectionRevisions(collection.id),
  });
  const restore = useMutation({
    mutationFn: (revision: number) => api.restoreCollectionRevision(collection.id, revision),
    onSuccess: (c, revision) => {
      notifySuccess(`Revision ${revision} restored as revision ${c.revision}.`);
      void queryClient.invalidateQueries({ queryKey: ['collection', collection.id] });
      void queryClient.invalidateQueries({ queryKey: ['collections'] });
    },
  });
  if (revisions.isPending) return <BlockSkeleton lines={5} />;
  if (revisions.isError) return <ErrorState error={revisions.error} what="the revisions" />;
  const list = [...revisions.data].sort((a, b) => b.revision - a.revision);
  if (list.length === 0) {
    return <EmptyState icon={<IconGitCommit size={24} />} title="No revisions recorded" compact />;
  }
  return (
    <Accordion
      variant="separated"
      multiple
      defaultValue={[String(list[0]?.revision)]}
      data-testid="collection-revisions"
    >
      {list.map((rev, i) => {
        const current = rev.revision === collection.revision;
        return (
          <Accordion.Item
            key={rev.revision}
            value={String(rev.revision)}
            data-testid="collection-revision"
          >
            <Accordion.Control>
              <Group justify="space-between" wrap="nowrap" pr="sm">
                <Group gap="sm" wrap="nowrap">
                  <Text fw={600} size="sm">
                    Revision {rev.revision}
                  </Text>
                  {current && (
                    <Badge size="sm" color="teal" variant="light">
                      current
                    </Badge>
                  )}
                  {changes(rev, list[i + 1]).map((c) => (
                    <Badge key={c} size="xs" variant="outline" color="gray">
                      {c}
                    </Badge>
                  ))}
                </Group>
                <Text size="xs" c="dimmed">
                  {rev.by} · <RelativeTime iso={rev.at} size="xs" c="dimmed" />
                </Text>
              </Group>
            </Accordion.Control>
            <Accordion.Panel>
              <Stack gap="sm">
                <Text size="sm" c="dimmed">
                  Saved {formatDateTime(rev.at)} by {rev.by} · “{rev.definition.name}” ·{' '}
                  {describeRules(rev.definition.rules)}
                </Text>
                <CollectionRulesView rules={rev.definition.rules} />
                {!current && can('collections:write') && !collection.builtin && (
                  <Group>
                    <ConfirmButton
                      size="xs"
                      variant="light"
                      danger={false}
                      leftSection={<IconArrowBackUp size={14} />}
                      title={`Restore revision ${rev.revision}?`}
                      message="Its definition becomes a new revision and the collection is evaluated again; devices join and leave accordingly. The current definition stays in the history."
                      confirmLabel="Restore"
                      loading={restore.isPending}
                      onConfirm={() => restore.mutateAsync(rev.revision)}
                      testId={`restore-revision-${rev.revision}`}
                    >
                      Restore this revision
                    </ConfirmButton>
                  </Group>
                )}
              </Stack>
            </Accordion.Panel>
          </Accordion.Item>
        );
      })}
    </Accordion>
  );
}
