import { ExportButton } from '../../components/export-button';
import { Badge, Button, Group, Table, Text, Tooltip } from '@mantine/core';

import { IconEdit, IconPlayerPause, IconPlayerPlay, IconTerminal2 } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ops, type Package, type Program } from '@steward/protocol';

import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { ConfirmButton } from '../../components/confirm-button';
import { DataTable, RowActions } from '../../components/data-table';
import { DeleteIconButton } from '../../components/delete-icon-button';
import { EmptyState } from '../../components/empty-state';
import { NewButton } from '../../components/new-button';
import { QueryView } from '../../components/query-view';
import { useEditModal } from '../../components/use-edit-modal';
import { useSession } from '../../session/session-context';
import { ProgramModal } from './program-modal';
import { keys, usePrograms } from './queries';

function requirementsText(p: Program): string {
  const r = p.requirements;
  const parts: string[] = [];
  if (r.osFamilies?.length) parts.push(r.osFamilies.join('/'));
  if (r.minOsVersion) parts.push(`≥ ${r.minOsVersion}`);
  if (r.architectures?.length) parts.push(r.architectures.join('/'));
  if (r.minFreeDiskMb !== undefined) parts.push(`${r.minFreeDiskMb} MB disk`);
  if (r.minMemoryMb !== undefined) parts.push(`${r.minMemoryMb} MB memory`);
  return parts.join(', ') || 'none';
}

function ProgramRow(props: { program: Program; all: Program[]; onEdit: () => void; pkg: Package }) {
  const { program: p } = props;
  const { can } = useSession();
  const queryClient = useQueryClient();
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['programs'] });
    void queryClient.invalidateQueries({ queryKey: keys.package(props.pkg.id) });
    void queryClient.invalidateQueries({ queryKey: keys.packages });
  };
  const toggle = useMutation({
    mutationFn: () => api.setProgramDisabled(p.id, !p.disabled),
    onSuccess: (r) => {
      notifySuccess(
        r.disabled
          ? `${r.name} is disabled: agents stop it now, mandatory runs included.`
          : `${r.name} is enabled again.`,
      );
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => api.deleteProgram(p.id),
    onSuccess: () => {
      notifySuccess(`Program ${p.name} deleted.`);
      refresh();
    },
  });
  const dependency = p.dependsOnProgramId
    ? props.all.find((x) => x.id === p.dependsOnProgramId)
    : undefined;
  const writable = can('software:write');
  return (
    <Table.Tr data-testid="program-row" data-program-name={p.name}>
      <Table.Td>
        <Group gap={6}>
          <Text size="sm" fw={600}>
            {p.name}
          </Text>
          {p.disabled && (
            <Badge color="red" variant="light" size="sm" data-testid="program-disabled">
              disabled
            </Badge>
          )}
        </Group>
        {p.description && (
          <Text size="xs" c="dimmed" lineClamp={1}>
            {p.description}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Text className="steward-mono" lineClamp={2} title={p.commandLine}>
          {p.commandLine}
        </Text>
        <Text size="xs" c="dimmed">
          in {p.workingDirectory || '.'} as {p.runAs === 'root' ? 'root' : 'the logged-on user'}
        </Text>
      </Table.Td>
      <Table.Td>{p.maxRunMinutes} min</Table.Td>
      <Table.Td>
        <Text size="sm">{p.successExitCodes.join(', ') || '—'}</Text>
        {p.rebootExitCodes.length > 0 && (
          <Text size="xs" c="dimmed">
            reboot: {p.rebootExitCodes.join(', ')}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Text size="xs">{requirementsText(p)}</Text>
        {p.dependsOnProgramId && (
          <Text size="xs" c="dimmed">
            after{' '}
            {dependency ? `${dependency.packageName} › ${dependency.name}` : p.dependsOnProgramId}
          </Text>
        )}
      </Table.Td>
      <Table.Td ta="right">
        {writable && (
          <RowActions>
            <Tooltip label="Edit" withArrow>
              <Button
                size="xs"
                variant="subtle"
                onClick={props.onEdit}
                data-testid="program-edit"
                px={6}
              >
                <IconEdit size={15} />
              </Button>
            </Tooltip>
            <ConfirmButton
              size="xs"
              variant="subtle"
              color={p.disabled ? 'teal' : 'orange'}
              leftSection={
                p.disabled ? <IconPlayerPlay size={14} /> : <IconPlayerPause size={14} />
              }
              title={p.disabled ? `Enable ${p.name}?` : `Disable ${p.name} everywhere?`}
              message={
                p.disabled
                  ? 'Deployments of this program may run again on their schedules.'
                  : 'Disabling stops this program everywhere at once: the site pushes it to every online agent, which kills a running copy and skips every run, mandatory ones included, until you enable it again. Offline agents learn it at their next contact.'
              }
              confirmLabel={p.disabled ? 'Enable' : 'Disable everywhere'}
              danger={!p.disabled}
              loading={toggle.isPending}
              onConfirm={() => toggle.mutateAsync()}
              testId="program-toggle"
            >
              {p.disabled ? 'Enable' : 'Disable'}
            </ConfirmButton>
            <DeleteIconButton
              name={p.name}
              message="The program is deleted. Deployments of it must be deleted first."
              loading={remove.isPending}
              onConfirm={() => remove.mutateAsync()}
              testId="program-delete"
            />
          </RowActions>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

/** Programs: the command lines that install or run a package, with their conditions. */
export function ProgramsTab({ pkg }: { pkg: Package }) {
  const { can } = useSession();
  const programs = usePrograms(pkg.id);
  const all = usePrograms();
  const editor = useEditModal<Program>();
  // The empty state repeats the button without the test id: one element per test id.
  const newButton = (testId?: string) =>
    can('software:write') && (
      <NewButton onClick={editor.openNew} testId={testId}>
        New program
      </NewButton>
    );
  const list = programs.data ?? [];
  return (
    <>
      <Group justify="space-between" mb="sm">
        <Text size="sm" c="dimmed">
          A program is what a deployment runs: a command line in the package’s files.
        </Text>
        <Group gap="xs">
          <ExportButton
            op={ops.exports.programs}
            filters={{ package: pkg.id }}
            testId="programs-export"
          />
          {newButton('new-program')}
        </Group>
      </Group>
      <QueryView
        query={programs}
        what="the programs"
        isEmpty={list.length === 0}
        empty={
          <EmptyState
            icon={<IconTerminal2 size={24} />}
            title="No programs"
            description="Add a program with the command line that installs the package, e.g. sh install.sh."
            action={newButton()}
            compact
          />
        }
      >
        <DataTable
          columns={[
            { label: 'Program' },
            { label: 'Command line' },
            { label: 'Max run' },
            { label: 'Exit codes' },
            { label: 'Requirements' },
            { w: 200 },
          ]}
          loading={programs.isPending}
          skeletonRows={2}
          testId="program-table"
          minWidth={900}
        >
          {list.map((p) => (
            <ProgramRow
              key={p.id}
              program={p}
              pkg={pkg}
              all={all.data ?? list}
              onEdit={() => editor.openEdit(p)}
            />
          ))}
        </DataTable>
      </QueryView>
      <ProgramModal
        key={editor.editing?.id ?? 'new'}
        pkg={pkg}
        program={editor.editing}
        opened={editor.opened}
        onClose={editor.close}
      />
    </>
  );
}
