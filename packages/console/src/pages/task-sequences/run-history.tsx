import { Badge, Code, Stack, Table, Text } from '@mantine/core';
import type { SequenceProgress, StepRunStatus, TaskSequenceRun } from '@steward/protocol';
import { RelativeTime } from '../../components/relative-time';

export type RunState = TaskSequenceRun['state'];

export const RUN_STATE_COLORS: Record<RunState, string> = {
  targeted: 'gray',
  running: 'blue',
  restarting: 'violet',
  succeeded: 'green',
  failed: 'red',
};
const STEP_COLORS: Record<StepRunStatus, string> = {
  running: 'blue',
  succeeded: 'green',
  failed: 'red',
  skipped: 'gray',
};

export function RunStateBadge({ state }: { state: RunState }) {
  return (
    <Badge size="sm" variant="light" color={RUN_STATE_COLORS[state]} data-testid="run-state">
      {state === 'targeted' ? 'not started' : state}
    </Badge>
  );
}

/**
 * Marks a boot-environment run (PXE or media, ADR 0103): which computer it ran on, and whether
 * the installed system has enrolled yet (then the run is its device's).
 */
export function BootRunBadge({ run }: { run: TaskSequenceRun }) {
  if (!run.computer) return null;
  const what = run.computer.kind === 'imported' ? 'imported computer' : 'unknown computer';
  const ids = [run.computer.smbiosUuid, ...run.computer.macs].filter((x) => x !== null);
  return (
    <Badge
      size="xs"
      variant="outline"
      color={run.deviceId === null ? 'gray' : 'teal'}
      title={ids.join(', ')}
      data-testid="boot-run-badge"
    >
      {run.deviceId === null ? `boot environment · ${what}` : `boot environment · enrolled`}
    </Badge>
  );
}

/** What a run's steps did, in order: status, exit code, why skipped or failed, output tail. */
export function RunHistory({ progress }: { progress: SequenceProgress | null }) {
  if (!progress || progress.history.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No step has reported yet.
      </Text>
    );
  return (
    <Table className="steward-table" data-testid="run-history" fz="sm">
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={40}>#</Table.Th>
          <Table.Th>Step</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Exit</Table.Th>
          <Table.Th>Started</Table.Th>
          <Table.Th>Output / reason</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {progress.history.map((h, i) => (
          <Table.Tr key={`${h.stepId}-${String(i)}`}>
            <Table.Td>{h.number}</Table.Td>
            <Table.Td>
              {h.name}
              <Text size="xs" c="dimmed">
                {h.kind}
              </Text>
            </Table.Td>
            <Table.Td>
              <Badge size="xs" variant="light" color={STEP_COLORS[h.status]}>
                {h.status}
              </Badge>
              {h.continued && (
                <Badge size="xs" variant="outline" color="yellow" ml={4}>
                  continued
                </Badge>
              )}
            </Table.Td>
            <Table.Td>{h.exitCode ?? '-'}</Table.Td>
            <Table.Td>
              <RelativeTime iso={h.startedAt} />
            </Table.Td>
            <Table.Td>
              <Stack gap={2}>
                {h.reason && <Text size="xs">{h.reason}</Text>}
                {h.outputTail && (
                  <Code block fz={11} mah={160} style={{ overflow: 'auto' }}>
                    {h.outputTail}
                  </Code>
                )}
              </Stack>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
