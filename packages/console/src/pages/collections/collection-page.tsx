import { Badge, Button, Group, Paper, SimpleGrid, Skeleton, Text } from '@mantine/core';
import {
  IconCalendarTime,
  IconVariable,
  IconEdit,
  IconGitCommit,
  IconHistory,
  IconListCheck,
  IconPlayerPlay,
  IconTrash,
  IconUsersGroup,
} from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api } from '../../api/client';
import { isNotFound, notifySuccess } from '../../api/errors';
import { ConfirmButton } from '../../components/confirm-button';
import { useCollections } from '../../components/collection-select';
import { ErrorState } from '../../components/error-state';
import { Fact } from '../../components/fact';
import { PageHeader } from '../../components/page-header';
import { PageTabs, useTabParam } from '../../components/page-tabs';
import { RelativeTime } from '../../components/relative-time';
import { useSession } from '../../session/session-context';
import { NotFoundPage } from '../not-found-page';
import { CollectionHistoryTab } from './collection-history-tab';
import { CollectionMembersTab } from './collection-members-tab';
import { CollectionRevisionsTab } from './collection-revisions-tab';
import { CollectionRulesView } from './collection-rules-view';
import { ClientNotificationMenu } from './client-notification-menu';
import { MaintenanceWindowsTab } from '../deployments/maintenance-windows-tab';
import { TargetVariables } from '../task-sequences/target-variables';

const TABS = ['members', 'rules', 'history', 'revisions', 'windows', 'ts-variables'] as const;

export function CollectionPage() {
  const { collectionId = '' } = useParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { can } = useSession();
  const [tab, setTab] = useTabParam(TABS);
  const all = useCollections();
  const collection = useQuery({
    queryKey: ['collection', collectionId],
    queryFn: () => api.getCollection(collectionId),
    refetchInterval: 15_000,
  });
  const evaluate = useMutation({
    mutationFn: () => api.evaluateCollection(collectionId),
    onSuccess: (c) => {
      notifySuccess(`“${c.name}” evaluated: ${c.memberCount.toLocaleString()} members.`);
      queryClient.setQueryData(['collection', collectionId], c);
      void queryClient.invalidateQueries({ queryKey: ['collection', collectionId] });
      void queryClient.invalidateQueries({ queryKey: ['collections'] });
    },
  });
  const remove = useMutation({
    mutationFn: () => api.deleteCollection(collectionId),
    onSuccess: () => {
      notifySuccess('Collection deleted.');
      void queryClient.invalidateQueries({ queryKey: ['collections'] });
      void navigate('/collections');
    },
  });

  if (collection.isError && isNotFound(collection.error)) return <NotFoundPage />;
  if (collection.isError && !collection.data)
    return <ErrorState error={collection.error} what="this collection" />;
  const c = collection.data;
  const limiting = c?.limitingCollectionId
    ? all.data?.find((x) => x.id === c.limitingCollectionId)
    : undefined;
  const writable = can('collections:write') && c !== undefined && !c.builtin;

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Collections', to: '/collections' }, { label: c?.name ?? '…' }]}
        title={
          c ? (
            <Group gap="xs" component="span">
              {c.name}
              {c.builtin && (
                <Badge variant="light" color="gray">
                  built-in
                </Badge>
              )}
            </Group>
          ) : (
            <Skeleton h={24} w={240} />
          )
        }
        testId="collection-title"
        description={c?.description || undefined}
        actions={
          <>
            {can('devices:act') && c && <ClientNotificationMenu collectionId={c.id} />}
            {can('collections:write') && (
              <Button
                variant="default"
                leftSection={<IconPlayerPlay size={16} />}
                loading={evaluate.isPending}
                onClick={() => evaluate.mutate()}
                data-testid="collection-evaluate"
              >
                Evaluate now
              </Button>
            )}
            {writable && (
              <Button
                component={Link}
                to={`/collections/${encodeURIComponent(collectionId)}/edit`}
                variant="default"
                leftSection={<IconEdit size={16} />}
                data-testid="collection-edit"
              >
                Edit
              </Button>
            )}
            {writable && (
              <ConfirmButton
                variant="light"
                color="red"
                leftSection={<IconTrash size={16} />}
                title={`Delete ${c.name}?`}
                message="The collection and its membership history are deleted. Collections that include, exclude or are limited to it must be changed first."
                confirmLabel="Delete"
                loading={remove.isPending}
                onConfirm={() => remove.mutateAsync()}
                testId="collection-delete"
              >
                Delete
              </ConfirmButton>
            )}
          </>
        }
      />
      <Paper p="md" mb="md">
        <SimpleGrid cols={{ base: 2, md: 5 }}>
          {(
            [
              [
                'Members',
                c ? (
                  <Text fz={17} fw={700} data-testid="collection-members-count">
                    {c.memberCount.toLocaleString()}
                  </Text>
                ) : null,
              ],
              [
                'Last evaluated',
                c ? <RelativeTime iso={c.lastEvaluatedAt} fz={17} fw={600} /> : null,
              ],
              [
                'Limited to',
                c ? (
                  <Text fz={17} fw={600}>
                    {limiting ? limiting.name : 'All devices'}
                  </Text>
                ) : null,
              ],
              [
                'Full evaluation',
                c ? (
                  <Text fz={17} fw={600}>
                    every {c.evaluationIntervalMinutes} min
                  </Text>
                ) : null,
              ],
              [
                'Revision',
                c ? (
                  <Text fz={17} fw={600}>
                    #{c.revision}
                  </Text>
                ) : null,
              ],
            ] satisfies [string, ReactNode][]
          ).map(([label, value]) => (
            <Fact key={label} label={label}>
              {value ?? <Skeleton h={18} w={80} />}
            </Fact>
          ))}
        </SimpleGrid>
      </Paper>
      <PageTabs
        value={tab}
        onChange={setTab}
        tabs={[
          {
            value: 'members',
            label: 'Members',
            icon: <IconUsersGroup size={15} />,
            testId: 'ctab-members',
            panel: <CollectionMembersTab collectionId={collectionId} />,
          },
          {
            value: 'rules',
            label: 'Rules',
            icon: <IconListCheck size={15} />,
            testId: 'ctab-rules',
            panel: c && <CollectionRulesView rules={c.rules} />,
          },
          {
            value: 'history',
            label: 'Membership history',
            icon: <IconHistory size={15} />,
            testId: 'ctab-history',
            panel: <CollectionHistoryTab collectionId={collectionId} />,
          },
          {
            value: 'revisions',
            label: 'Revisions',
            icon: <IconGitCommit size={15} />,
            testId: 'ctab-revisions',
            panel: c && <CollectionRevisionsTab collection={c} />,
          },
          {
            value: 'windows',
            label: 'Maintenance windows',
            icon: <IconCalendarTime size={15} />,
            testId: 'ctab-windows',
            panel: c && <MaintenanceWindowsTab collectionId={c.id} />,
          },
          {
            value: 'ts-variables',
            label: 'Task-sequence variables',
            icon: <IconVariable size={15} />,
            testId: 'ctab-ts-variables',
            panel: c && <TargetVariables target="collection" id={c.id} />,
          },
        ]}
      />
    </>
  );
}
