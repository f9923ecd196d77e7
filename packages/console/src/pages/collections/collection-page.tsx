import {
  Badge,
  Button,
  Group,
  Paper,
  SimpleGrid,
  Skeleton,
  Stack,
  Tabs,
  Text,
} from '@mantine/core';
import {
  IconCalendarTime,
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
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { api } from '../../api/client';
import { isNotFound, notifySuccess } from '../../api/errors';
import { ConfirmButton } from '../../components/confirm-button';
import { useCollections } from '../../components/collection-select';
import { ErrorState } from '../../components/error-state';
import { PageHeader } from '../../components/page-header';
import { RelativeTime } from '../../components/relative-time';
import { useSession } from '../../session/session-context';
import { NotFoundPage } from '../not-found-page';
import { CollectionHistoryTab } from './collection-history-tab';
import { CollectionMembersTab } from './collection-members-tab';
import { CollectionRevisionsTab } from './collection-revisions-tab';
import { CollectionRulesView } from './collection-rules-view';
import { ClientNotificationMenu } from './client-notification-menu';
import { MaintenanceWindowsTab } from '../deployments/maintenance-windows-tab';

const TABS = ['members', 'rules', 'history', 'revisions', 'windows'] as const;

export function CollectionPage() {
  const { collectionId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { can } = useSession();
  const tab = TABS.find((t) => t === params.get('tab')) ?? 'members';
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
            <Stack key={label} gap={2}>
              <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
                {label}
              </Text>
              {value ?? <Skeleton h={18} w={80} />}
            </Stack>
          ))}
        </SimpleGrid>
      </Paper>
      <Tabs
        value={tab}
        onChange={(v) => setParams(v && v !== 'members' ? { tab: v } : {}, { replace: true })}
        variant="outline"
        keepMounted={false}
      >
        <Tabs.List>
          <Tabs.Tab
            value="members"
            leftSection={<IconUsersGroup size={15} />}
            data-testid="ctab-members"
          >
            Members
          </Tabs.Tab>
          <Tabs.Tab
            value="rules"
            leftSection={<IconListCheck size={15} />}
            data-testid="ctab-rules"
          >
            Rules
          </Tabs.Tab>
          <Tabs.Tab
            value="history"
            leftSection={<IconHistory size={15} />}
            data-testid="ctab-history"
          >
            Membership history
          </Tabs.Tab>
          <Tabs.Tab
            value="revisions"
            leftSection={<IconGitCommit size={15} />}
            data-testid="ctab-revisions"
          >
            Revisions
          </Tabs.Tab>
          <Tabs.Tab
            value="windows"
            leftSection={<IconCalendarTime size={15} />}
            data-testid="ctab-windows"
          >
            Maintenance windows
          </Tabs.Tab>
        </Tabs.List>
        <Paper p="md" style={{ borderTopLeftRadius: 0, borderTopRightRadius: 0, borderTop: 0 }}>
          <Tabs.Panel value="members">
            <CollectionMembersTab collectionId={collectionId} />
          </Tabs.Panel>
          <Tabs.Panel value="rules">{c && <CollectionRulesView rules={c.rules} />}</Tabs.Panel>
          <Tabs.Panel value="history">
            <CollectionHistoryTab collectionId={collectionId} />
          </Tabs.Panel>
          <Tabs.Panel value="revisions">
            {c && <CollectionRevisionsTab collection={c} />}
          </Tabs.Panel>
          <Tabs.Panel value="windows">
            {c && <MaintenanceWindowsTab collectionId={c.id} />}
          </Tabs.Panel>
        </Paper>
      </Tabs>
    </>
  );
}
