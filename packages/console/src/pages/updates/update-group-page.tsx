import { Alert, Anchor, Button, Group, Paper, Progress, Table, Text, Title } from '@mantine/core';
import { IconPackageExport, IconStack2 } from '@tabler/icons-react';
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { ops, type ApprovedContent } from '@steward/protocol';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api } from '../../api/client';
import { isNotFound, notifySuccess } from '../../api/errors';
import { DataTable, RowActions } from '../../components/data-table';
import { DeleteIconButton } from '../../components/delete-icon-button';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { PageHeader } from '../../components/page-header';
import { Pager } from '../../components/pager';
import { RatioBar } from '../../components/ratio-bar';
import { BlockSkeleton } from '../../components/table-skeleton';
import { useSession } from '../../session/session-context';
import { NotFoundPage } from '../not-found-page';
import { UPDATE_KEYS } from './update-labels';
import { UpdateDeployButton } from './deployments/update-deploy-modal';
import { GroupCustomMembers } from './custom/custom-group-members';

/** Builds the group's approved repository: a long request, shown as running until it answers. */
function PublishContent({ groupId, empty }: { groupId: string; empty: boolean }) {
  const { can } = useSession();
  const [content, setContent] = useState<ApprovedContent | null>(null);
  const publish = useMutation({
    mutationFn: () => api.call(ops.updateGroups.publishContent, { params: { id: groupId } }),
    meta: { errorTitle: 'Content not published' },
    onSuccess: (c) => {
      setContent(c);
      notifySuccess(`Version ${c.versionNumber} of ${c.packageName}: ${c.binaries} packages.`);
    },
  });
  return (
    <Paper p="md" mb="md">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={5}>Approved content</Title>
          <Text size="sm" c="dimmed" maw={620}>
            Publishing builds the group's updates into a site-signed apt repository in the content
            library (a new version of its content package), which distribution points then hold for
            deployments of this group.
          </Text>
        </div>
        {can('software:write') && (
          <Button
            leftSection={<IconPackageExport size={16} />}
            loading={publish.isPending}
            disabled={empty}
            onClick={() => publish.mutate()}
            data-testid="update-group-publish"
          >
            Publish content
          </Button>
        )}
      </Group>
      {publish.isPending && (
        <Progress value={100} animated striped mt="sm" data-testid="update-group-publishing" />
      )}
      {content && (
        <Alert color="teal" mt="sm" data-testid="update-group-content">
          <Text size="sm">
            Published version {content.versionNumber} of{' '}
            <Anchor
              component={Link}
              to={`/software/packages/${encodeURIComponent(content.packageId)}?tab=content`}
            >
              {content.packageName}
            </Anchor>
            : {content.binaries.toLocaleString()} packages, signed by {content.signedBy.slice(-16)}.
            Its content status shows the distribution points holding it.
          </Text>
        </Alert>
      )}
    </Paper>
  );
}

/** The group's updates, each with how many machines still need it. */
function GroupMembers({ groupId, updateIds }: { groupId: string; updateIds: string[] }) {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const [page, setPage] = useState({ offset: 0, limit: 25 });
  const shown = updateIds.slice(page.offset, page.offset + page.limit);
  const members = useQueries({
    queries: shown.map((id) => ({
      queryKey: [UPDATE_KEYS.compliance, id],
      queryFn: () => api.call(ops.updateCompliance.updateCompliance, { params: { id } }),
    })),
  });
  const remove = useMutation({
    mutationFn: (updateId: string) =>
      api.call(ops.updateGroups.removeUpdate, { params: { id: groupId, updateId } }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: [UPDATE_KEYS.groups] }),
  });
  if (updateIds.length === 0)
    return (
      <EmptyState
        icon={<IconStack2 size={26} />}
        title="No updates in this group"
        description="In Software updates, select updates in the catalog and choose “Add to update group”."
        compact
      />
    );
  return (
    <>
      <DataTable
        testId="update-group-members"
        loading={false}
        minWidth={760}
        columns={[
          { label: 'Update' },
          { label: 'Version' },
          { label: 'Installed / applicable', w: 260 },
          { label: 'Required', ta: 'right' },
          { label: '' },
        ]}
      >
        {shown.map((id, i) => {
          const c = members[i]?.data;
          const applicable = c
            ? c.counts.installed + c.counts.required + c.counts.held + c.counts.pinned
            : 0;
          return (
            <Table.Tr key={id} data-testid="update-group-member">
              <Table.Td>
                <Anchor
                  component={Link}
                  to={`/software/updates/${encodeURIComponent(id)}`}
                  size="sm"
                  fw={600}
                >
                  {c?.package ?? id}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {c?.version ?? ''}
                </Text>
              </Table.Td>
              <Table.Td>{c && <RatioBar done={c.counts.installed} total={applicable} />}</Table.Td>
              <Table.Td ta="right">
                {c ? (c.counts.required + c.counts.held + c.counts.pinned).toLocaleString() : ''}
              </Table.Td>
              <Table.Td>
                {can('software:write') && (
                  <RowActions>
                    <DeleteIconButton
                      name={`${c?.package ?? id} from the group`}
                      message="The update leaves this group; the catalog keeps it."
                      loading={remove.isPending && remove.variables === id}
                      onConfirm={() => remove.mutateAsync(id)}
                      testId="update-group-remove"
                    />
                  </RowActions>
                )}
              </Table.Td>
            </Table.Tr>
          );
        })}
      </DataTable>
      <Pager
        offset={page.offset}
        limit={page.limit}
        total={updateIds.length}
        onChange={(offset, limit) => setPage({ offset, limit })}
        testId="update-group-members-pager"
      />
    </>
  );
}

/** One update group: its updates, removal, and publishing its approved content. */
export function UpdateGroupPage() {
  const { groupId = '' } = useParams();
  const { can } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const group = useQuery({
    queryKey: [UPDATE_KEYS.groups, groupId],
    queryFn: () => api.call(ops.updateGroups.getGroup, { params: { id: groupId } }),
  });
  const del = useMutation({
    mutationFn: () => api.call(ops.updateGroups.deleteGroup, { params: { id: groupId } }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: [UPDATE_KEYS.groups] });
      void navigate('/software/updates?tab=groups');
    },
  });
  if (group.isError && isNotFound(group.error)) return <NotFoundPage />;
  if (group.isError) return <ErrorState error={group.error} what="this update group" />;
  const g = group.data;
  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Update groups', to: '/software/updates?tab=groups' },
          { label: g?.name ?? groupId },
        ]}
        title={g?.name ?? groupId}
        testId="update-group-title"
        description={
          g
            ? g.description ||
              `${g.updateIds.length} updates, ${g.customUpdateIds.length} custom updates`
            : undefined
        }
        actions={
          g && (
            <Group gap="xs">
              {can('deployments:write') && (
                <UpdateDeployButton
                  groupId={g.id}
                  groupName={g.name}
                  updates={g.updateIds.length}
                  customUpdateIds={g.customUpdateIds}
                  disabled={g.updateIds.length + g.customUpdateIds.length === 0}
                />
              )}
              {can('software:write') && (
                <DeleteIconButton
                  name={g.name}
                  message="Deployments of this group stop finding updates in it; the updates stay in the catalog."
                  loading={del.isPending}
                  onConfirm={() => del.mutateAsync()}
                  testId="update-group-delete"
                />
              )}
            </Group>
          )
        }
      />
      {!g ? (
        <Paper p="md">
          <BlockSkeleton lines={4} />
        </Paper>
      ) : (
        <>
          <PublishContent
            groupId={g.id}
            empty={g.updateIds.length + g.customUpdateIds.length === 0}
          />
          <Paper p="md">
            <Title order={5} mb="sm">
              Updates ({g.updateIds.length.toLocaleString()})
            </Title>
            <GroupMembers groupId={g.id} updateIds={g.updateIds} />
          </Paper>
          <Paper p="md" mt="md">
            <Title order={5} mb="sm">
              Custom updates ({g.customUpdateIds.length.toLocaleString()})
            </Title>
            <GroupCustomMembers groupId={g.id} ids={g.customUpdateIds} />
          </Paper>
        </>
      )}
    </>
  );
}
