import {
  Alert,
  Anchor,
  Button,
  Group,
  List,
  Modal,
  Paper,
  Progress,
  Select,
  Stack,
  Text,
} from '@mantine/core';
import { IconX } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { errorMessage } from '../api/errors';
import { CollectionSelect } from './collection-select';
import type { RowSelection } from './row-selection';

/** What a bulk action answers, summarised (the devices' BulkActionResult has this shape). */
export interface BulkSummary {
  matched: number;
  done: number;
  unchanged: number;
  failed: number;
  failures: { reason: string; count: number; examples: string[] }[];
  connected?: number;
  /** Where to follow what the action started (a push job's page). */
  follow?: { to: string; label: string };
}

export interface BulkActionDef<A extends string> {
  id: A;
  label: string;
  /** Names the act in the confirmation: "Revoke 8,213 devices?". */
  verb: string;
  danger?: boolean;
  /** Asks which collection (a collection picker in the confirmation). */
  needsCollection?: boolean;
  /** Said under the question in the confirmation. */
  note?: string;
  /** Asks for one more value from a list (a push account), passed to `run` as `choice`. */
  choose?: {
    label: string;
    placeholder: string;
    options: { value: string; label: string }[];
    testId: string;
  };
}

const REASON_LABELS: Record<string, string> = {
  'device-revoked': 'Revoked (takes no action and joins no collection)',
  'not-direct-member': 'Not a direct member (a member by a query rule, or not a member)',
  'not-found': 'No longer exists',
  'has-agent': 'Has an agent already (nothing to push)',
};

/**
 * The bar above a list with a selection: the count, the actions, and one modal that confirms
 * (naming the count), shows progress while the site works, then the summary: done, unchanged,
 * failed with reasons and example names. Every list with bulk actions uses it.
 */
export function BulkActionBar<A extends string, F>(props: {
  selection: RowSelection<F>;
  /** Plural noun of the rows: "devices". */
  noun: string;
  actions: BulkActionDef<A>[];
  run: (
    action: A,
    o: { collection: string | undefined; choice: string | undefined; expectedCount: number },
  ) => Promise<BulkSummary>;
  /** After an action finished (refresh the list, clear the selection). */
  onDone?: () => void;
  testId?: string;
}) {
  const { selection: s, noun } = props;
  const [open, setOpen] = useState<BulkActionDef<A> | undefined>();
  const [collection, setCollection] = useState<string | null>(null);
  const [choice, setChoice] = useState<string | null>(null);
  const [phase, setPhase] = useState<
    | { kind: 'confirm' }
    | { kind: 'running'; count: number }
    | { kind: 'done'; summary: BulkSummary }
    | { kind: 'error'; message: string }
  >({ kind: 'confirm' });
  if (s.count === 0 && open === undefined) return null;
  const count = s.count.toLocaleString();
  const close = () => {
    if (phase.kind === 'running') return;
    if (phase.kind === 'done') {
      s.clear();
      props.onDone?.();
    }
    setOpen(undefined);
    setPhase({ kind: 'confirm' });
  };
  const start = (action: BulkActionDef<A>) => {
    const expectedCount = s.count;
    setPhase({ kind: 'running', count: expectedCount });
    props
      .run(action.id, {
        collection: collection ?? undefined,
        choice: choice ?? undefined,
        expectedCount,
      })
      .then(
        (summary) => setPhase({ kind: 'done', summary }),
        (err: unknown) => setPhase({ kind: 'error', message: errorMessage(err) }),
      );
  };
  return (
    <>
      {s.count > 0 && (
        <Paper withBorder p="xs" mb="sm" data-testid={props.testId ?? 'bulk-action-bar'}>
          <Group gap="xs" wrap="wrap">
            <Text size="sm" fw={600} mr="sm" data-testid="bulk-selected-count">
              {count} {noun} selected
            </Text>
            {props.actions.map((a) => (
              <Button
                key={a.id}
                size="xs"
                variant={a.danger ? 'light' : 'default'}
                color={a.danger ? 'red' : undefined}
                onClick={() => {
                  setCollection(null);
                  setChoice(null);
                  setPhase({ kind: 'confirm' });
                  setOpen(a);
                }}
                data-testid={`bulk-action-${a.id}`}
              >
                {a.label}
              </Button>
            ))}
            <Button
              size="xs"
              variant="subtle"
              color="gray"
              leftSection={<IconX size={14} />}
              onClick={() => s.clear()}
            >
              Clear selection
            </Button>
          </Group>
        </Paper>
      )}
      <Modal
        opened={open !== undefined}
        onClose={close}
        title={<Text fw={600}>{open?.label}</Text>}
        centered
        size="md"
        closeOnClickOutside={phase.kind !== 'running'}
        withCloseButton={phase.kind !== 'running'}
      >
        {open && (
          <BulkModalBody
            action={open}
            count={count}
            noun={noun}
            phase={phase}
            collection={collection}
            setCollection={setCollection}
            choice={choice}
            setChoice={setChoice}
            onStart={() => start(open)}
            onClose={close}
          />
        )}
      </Modal>
    </>
  );
}

function BulkModalBody<A extends string>(props: {
  action: BulkActionDef<A>;
  count: string;
  noun: string;
  phase:
    | { kind: 'confirm' }
    | { kind: 'running'; count: number }
    | { kind: 'done'; summary: BulkSummary }
    | { kind: 'error'; message: string };
  collection: string | null;
  setCollection: (id: string | null) => void;
  choice: string | null;
  setChoice: (v: string | null) => void;
  onStart: () => void;
  onClose: () => void;
}) {
  const { action, phase } = props;
  if (phase.kind === 'running')
    return (
      <Stack gap="sm" data-testid="bulk-progress">
        <Text size="sm">
          {action.verb} {phase.count.toLocaleString()} {props.noun}…
        </Text>
        <Progress value={100} animated striped />
      </Stack>
    );
  if (phase.kind === 'done') return <BulkResult summary={phase.summary} onClose={props.onClose} />;
  const blocked =
    (action.needsCollection === true && props.collection === null) ||
    (action.choose !== undefined && props.choice === null);
  return (
    <Stack gap="sm" data-testid="bulk-confirm">
      <Text size="sm" data-testid="bulk-confirm-question">
        {action.verb} {props.count} {props.noun}?
      </Text>
      {action.note && (
        <Text size="xs" c="dimmed">
          {action.note}
        </Text>
      )}
      {action.needsCollection && (
        <CollectionSelect
          label="Collection"
          placeholder="Choose a collection"
          value={props.collection}
          onChange={props.setCollection}
          data-testid="bulk-collection"
          comboboxProps={{ withinPortal: false }}
        />
      )}
      {action.choose && (
        <Select
          label={action.choose.label}
          placeholder={action.choose.placeholder}
          data={action.choose.options}
          value={props.choice}
          onChange={props.setChoice}
          data-testid={action.choose.testId}
          comboboxProps={{ withinPortal: false }}
        />
      )}
      {phase.kind === 'error' && (
        <Alert color="red" data-testid="bulk-error">
          {phase.message}
        </Alert>
      )}
      {blocked && (
        <Text size="xs" c="dimmed">
          {action.choose && props.choice === null
            ? `Choose the ${action.choose.label.toLowerCase()} first.`
            : 'Choose the collection first.'}
        </Text>
      )}
      <Group justify="flex-end" gap="xs">
        <Button variant="default" onClick={props.onClose}>
          Cancel
        </Button>
        <Button
          color={action.danger ? 'red' : undefined}
          disabled={blocked}
          onClick={props.onStart}
          data-testid="bulk-confirm-button"
        >
          {action.verb} {props.count} {props.noun}
        </Button>
      </Group>
    </Stack>
  );
}

function BulkResult({ summary, onClose }: { summary: BulkSummary; onClose: () => void }) {
  const line = (label: string, n: number, testId: string): ReactNode => (
    <Text size="sm" data-testid={testId}>
      {label}: <b>{n.toLocaleString()}</b>
    </Text>
  );
  return (
    <Stack gap="xs" data-testid="bulk-result">
      {line('Selected', summary.matched, 'bulk-result-matched')}
      {line('Done', summary.done, 'bulk-result-done')}
      {summary.unchanged > 0 &&
        line('Already so (unchanged)', summary.unchanged, 'bulk-result-unchanged')}
      {line('Failed', summary.failed, 'bulk-result-failed')}
      {summary.connected !== undefined && summary.done > summary.connected && (
        <Text size="xs" c="dimmed">
          {(summary.done - summary.connected).toLocaleString()} were not connected: they act when
          they next connect.
        </Text>
      )}
      {summary.follow && (
        <Anchor component={Link} to={summary.follow.to} size="sm" data-testid="bulk-result-follow">
          {summary.follow.label}
        </Anchor>
      )}
      {summary.failures.length > 0 && (
        <List size="sm" data-testid="bulk-result-failures">
          {summary.failures.map((f) => (
            <List.Item key={f.reason}>
              {REASON_LABELS[f.reason] ?? f.reason}: {f.count.toLocaleString()}
              {f.examples.length > 0 && (
                <Text span size="xs" c="dimmed">
                  {' '}
                  (e.g. {f.examples.join(', ')})
                </Text>
              )}
            </List.Item>
          ))}
        </List>
      )}
      <Group justify="flex-end">
        <Button onClick={onClose} data-testid="bulk-result-close">
          Close
        </Button>
      </Group>
    </Stack>
  );
}
