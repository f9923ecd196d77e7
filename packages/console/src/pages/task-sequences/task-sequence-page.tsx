import { Alert, Badge, Button, Group, Stack, Table, Text } from '@mantine/core';
import {
  IconDeviceFloppy,
  IconHistory,
  IconListTree,
  IconRocket,
  IconSitemap,
} from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  ops,
  sequenceItems,
  sequenceProblems,
  sequenceTree,
  type TaskSequence,
  type TaskSequenceBody,
} from '@steward/protocol';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api } from '../../api/client';
import { isNotFound, notifySuccess } from '../../api/errors';
import { ErrorState } from '../../components/error-state';
import { PageHeader } from '../../components/page-header';
import { PageTabs, useTabParam } from '../../components/page-tabs';
import { RelativeTime } from '../../components/relative-time';
import { useSession } from '../../session/session-context';
import { NotFoundPage } from '../not-found-page';
import { ProblemsAlert } from './problems-alert';
import { SequenceTreeView } from './sequence-tree-view';
import { TaskSequenceDeploymentsTable } from './task-sequence-deployment-list-page';
import { TaskSequenceEditor, type Draft } from './task-sequence-editor';
import { TS_KEY, taskSequencePath } from './task-sequence-list-page';
import { recordOf, rowsOf } from './variables-table';

const EMPTY: Draft = {
  name: '',
  description: '',
  kind: 'custom',
  bootImageId: null,
  nodes: [],
  variables: [],
};

function draftOf(s: TaskSequence): Draft {
  return {
    name: s.name,
    description: s.description,
    kind: s.kind,
    bootImageId: s.bootImageId,
    nodes: sequenceTree(s.steps),
    variables: rowsOf(s.variables),
  };
}

function bodyOf(d: Draft): TaskSequenceBody {
  return {
    name: d.name.trim(),
    ...(d.description ? { description: d.description } : {}),
    kind: d.kind,
    steps: sequenceItems(d.nodes),
    variables: recordOf(d.variables),
    bootImageId: d.bootImageId,
  };
}

/** The saved versions, newest first; one opens read-only, and can be loaded into the editor. */
function VersionsTab(props: { sequence: TaskSequence; onRestore: (s: TaskSequence) => void }) {
  const id = props.sequence.id;
  const [open, setOpen] = useState<number | null>(null);
  const versions = useQuery({
    queryKey: [TS_KEY, id, 'versions'],
    queryFn: () => api.call(ops.taskSequences.versions, { params: { id } }),
  });
  const version = useQuery({
    queryKey: [TS_KEY, id, 'version', open],
    queryFn: () => api.call(ops.taskSequences.version, { params: { id, version: open ?? 1 } }),
    enabled: open !== null,
  });
  if (versions.isError) return <ErrorState error={versions.error} what="the versions" />;
  return (
    <Stack>
      <Table className="steward-table" data-testid="ts-versions">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Version</Table.Th>
            <Table.Th>Steps</Table.Th>
            <Table.Th>Saved</Table.Th>
            <Table.Th>By</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(versions.data ?? []).map((v) => (
            <Table.Tr key={v.version} data-testid={`ts-version-${String(v.version)}`}>
              <Table.Td>
                {v.version}{' '}
                {v.version === props.sequence.version && (
                  <Badge size="xs" variant="light">
                    newest
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>{v.stepCount}</Table.Td>
              <Table.Td>
                <RelativeTime iso={v.createdAt} />
              </Table.Td>
              <Table.Td>{v.createdBy}</Table.Td>
              <Table.Td>
                <Button
                  size="compact-xs"
                  variant="subtle"
                  onClick={() => setOpen(open === v.version ? null : v.version)}
                  data-testid={`ts-version-open-${String(v.version)}`}
                >
                  {open === v.version ? 'Close' : 'View'}
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {open !== null && version.data && (
        <Stack gap="xs" data-testid="ts-version-view">
          <Group justify="space-between">
            <Text fw={600}>Version {version.data.version}</Text>
            <Button
              size="xs"
              variant="light"
              onClick={() => props.onRestore(version.data)}
              data-testid="ts-version-restore"
            >
              Load into the editor
            </Button>
          </Group>
          <SequenceTreeView nodes={sequenceTree(version.data.steps)} testId="ts-version-tree" />
        </Stack>
      )}
    </Stack>
  );
}

const TABS = ['editor', 'versions', 'deployments'] as const;

/** One task sequence (or a new one): the editor, its versions and its deployments. */
export function TaskSequencePage() {
  const { sequenceId } = useParams();
  const isNew = sequenceId === undefined;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { can } = useSession();
  const [tab, setTab] = useTabParam(TABS);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [dirty, setDirty] = useState(false);
  const sequence = useQuery({
    queryKey: [TS_KEY, sequenceId],
    queryFn: () => api.call(ops.taskSequences.get, { params: { id: sequenceId ?? '' } }),
    enabled: !isNew,
  });
  useEffect(() => {
    if (sequence.data && !dirty) setDraft(draftOf(sequence.data));
  }, [sequence.data, dirty]);
  const save = useMutation({
    mutationFn: (body: TaskSequenceBody) =>
      isNew
        ? api.call(ops.taskSequences.create, { body })
        : api.call(ops.taskSequences.update, { params: { id: sequenceId }, body }),
    meta: { silent: true },
    onSuccess: (s) => {
      notifySuccess(`${s.name} saved as version ${String(s.version)}.`, 'Saved');
      setDirty(false);
      queryClient.setQueryData([TS_KEY, s.id], s);
      void queryClient.invalidateQueries({ queryKey: [TS_KEY] });
      if (isNew) void navigate(taskSequencePath(s.id), { replace: true });
    },
  });
  if (!isNew && sequence.isError && isNotFound(sequence.error)) return <NotFoundPage />;
  if (!isNew && sequence.isError)
    return <ErrorState error={sequence.error} what="this task sequence" />;
  const s = sequence.data;
  const change = (d: Draft) => {
    setDraft(d);
    setDirty(true);
  };
  const local = sequenceProblems(sequenceItems(draft.nodes));
  const editor = (
    <Stack>
      {save.error ? (
        <ProblemsAlert error={save.error} title="Not saved" testId="ts-save-error" />
      ) : null}
      {local.length > 0 && (
        <Alert
          color="yellow"
          title="The site will refuse this sequence"
          data-testid="ts-local-problems"
        >
          {local.slice(0, 10).map((p) => (
            <Text size="sm" key={p}>
              {p}
            </Text>
          ))}
        </Alert>
      )}
      <TaskSequenceEditor draft={draft} onChange={change} readOnly={!can('software:write')} />
    </Stack>
  );
  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Task sequences', to: '/software/task-sequences' },
          { label: isNew ? 'New' : (s?.name ?? '…') },
        ]}
        icon={<IconListTree />}
        title={isNew ? 'New task sequence' : (s?.name ?? '…')}
        description={
          s ? (
            <span data-testid="ts-version">
              Version {s.version} · {s.stepCount} steps · saved <RelativeTime iso={s.updatedAt} />{' '}
              by {s.updatedBy}
              {dirty ? ' · unsaved changes' : ''}
            </span>
          ) : (
            'Steps, groups, conditions and variables; every save makes a new version'
          )
        }
        actions={
          <Group gap="xs">
            {s && can('deployments:write') && (
              <Button
                component={Link}
                to={`${taskSequencePath(s.id)}/deploy`}
                variant="default"
                leftSection={<IconRocket size={16} />}
                data-testid="ts-deploy"
              >
                Deploy
              </Button>
            )}
            {can('software:write') && (
              <Button
                leftSection={<IconDeviceFloppy size={16} />}
                loading={save.isPending}
                disabled={!isNew && !dirty}
                onClick={() => save.mutate(bodyOf(draft))}
                data-testid="ts-save"
              >
                {isNew ? 'Save' : 'Save as new version'}
              </Button>
            )}
          </Group>
        }
        testId="ts-page"
      />
      {isNew ? (
        editor
      ) : (
        <PageTabs
          value={tab}
          onChange={setTab}
          tabs={[
            {
              value: 'editor',
              label: 'Steps',
              icon: <IconSitemap size={15} />,
              testId: 'ts-tab-editor',
              panel: editor,
            },
            {
              value: 'versions',
              label: 'Versions',
              icon: <IconHistory size={15} />,
              testId: 'ts-tab-versions',
              panel: s && (
                <VersionsTab
                  sequence={s}
                  onRestore={(v) => {
                    change(draftOf(v));
                    setTab('editor');
                  }}
                />
              ),
            },
            {
              value: 'deployments',
              label: 'Deployments',
              icon: <IconRocket size={15} />,
              testId: 'ts-tab-deployments',
              panel: s && <TaskSequenceDeploymentsTable sequenceId={s.id} />,
            },
          ]}
        />
      )}
    </>
  );
}
