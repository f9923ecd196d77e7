import {
  ActionIcon,
  Alert,
  Button,
  Group,
  Paper,
  Radio,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import {
  IconBolt,
  IconCalendarPlus,
  IconClock,
  IconPlus,
  IconUserPlus,
  IconX,
} from '@tabler/icons-react';
import { emptyRecurrence } from './recurrence';
import { RecurrenceInput } from './recurrence-input';
import type { StepProps } from './wizard-pick-steps';
import type { TriggerDraft } from './wizard-model';

let nextKey = 1;

/** Now + 1 hour as a wall time in the chosen base: a sensible default for "at a time". */
function soon(timeBase: 'utc' | 'local'): string {
  const d = new Date(Date.now() + 3600_000);
  const iso =
    timeBase === 'utc'
      ? d.toISOString()
      : new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString();
  return iso.slice(0, 14) + '00';
}

function TriggerEditor(props: {
  t: TriggerDraft;
  onChange: (t: TriggerDraft) => void;
  onRemove: () => void;
}) {
  const { t } = props;
  const title =
    t.type === 'asap'
      ? 'As soon as possible'
      : t.type === 'on-enrolment'
        ? 'When a device enrols'
        : 'At a time';
  return (
    <Paper p="sm" withBorder data-testid="wizard-trigger" data-type={t.type}>
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <Stack gap={6} style={{ flex: 1 }}>
          <Text size="sm" fw={600}>
            {title}
          </Text>
          {t.type === 'asap' && (
            <Text size="xs" c="dimmed">
              Runs once the device has the deployment and the content, within a maintenance window.
            </Text>
          )}
          {t.type === 'on-enrolment' && (
            <Text size="xs" c="dimmed">
              Runs once on each device that enrols after the deployment exists.
            </Text>
          )}
          {t.type === 'at' && (
            <Group align="flex-start" gap="md">
              <TextInput
                type="datetime-local"
                size="xs"
                label="Start"
                value={t.start}
                onChange={(e) => props.onChange({ ...t, start: e.currentTarget.value })}
                data-testid="wizard-trigger-start"
              />
              <Stack gap={2}>
                <Text size="xs" fw={500}>
                  Repeat
                </Text>
                <RecurrenceInput
                  value={t.recurrence}
                  onChange={(recurrence) => props.onChange({ ...t, recurrence })}
                />
              </Stack>
            </Group>
          )}
        </Stack>
        <ActionIcon
          variant="subtle"
          color="gray"
          onClick={props.onRemove}
          aria-label="Remove schedule"
        >
          <IconX size={16} />
        </ActionIcon>
      </Group>
    </Paper>
  );
}

/** Step 3: purpose and schedule: triggers, availability, expiry, time base, extra assignments. */
export function ScheduleStep({ form, set, errors }: StepProps) {
  const add = (type: TriggerDraft['type']) =>
    set('triggers', [
      ...form.triggers,
      {
        key: nextKey++,
        type,
        start: type === 'at' ? soon(form.timeBase) : '',
        recurrence: emptyRecurrence(),
      },
    ]);
  const required = form.purpose === 'required';
  return (
    <Stack gap="md">
      <Stack gap={4}>
        <Text size="sm" fw={500}>
          Purpose
        </Text>
        <SegmentedControl
          w={360}
          value={form.purpose}
          onChange={(v) => set('purpose', v === 'available' ? 'available' : 'required')}
          data={[
            { value: 'required', label: 'Required' },
            { value: 'available', label: 'Available' },
          ]}
          data-testid="wizard-purpose"
        />
        <Text size="xs" c="dimmed">
          {required
            ? 'Runs by itself on its schedules (a mandatory assignment).'
            : 'Offered in the Software Center; users install it when they choose.'}
        </Text>
      </Stack>
      {required && (
        <Stack gap="xs">
          <Text size="sm" fw={500}>
            Schedules
          </Text>
          {form.triggers.map((t, i) => (
            <TriggerEditor
              key={t.key}
              t={t}
              onChange={(n) =>
                set(
                  'triggers',
                  form.triggers.map((x, j) => (j === i ? n : x)),
                )
              }
              onRemove={() =>
                set(
                  'triggers',
                  form.triggers.filter((_, j) => j !== i),
                )
              }
            />
          ))}
          <Group gap="xs">
            <Button
              size="xs"
              variant="light"
              leftSection={<IconBolt size={14} />}
              onClick={() => add('asap')}
              data-testid="wizard-add-asap"
            >
              As soon as possible
            </Button>
            <Button
              size="xs"
              variant="light"
              leftSection={<IconClock size={14} />}
              onClick={() => add('at')}
              data-testid="wizard-add-at"
            >
              At a time
            </Button>
            <Button
              size="xs"
              variant="light"
              leftSection={<IconUserPlus size={14} />}
              onClick={() => add('on-enrolment')}
              data-testid="wizard-add-enrolment"
            >
              On enrolment
            </Button>
          </Group>
          {errors.triggers && (
            <Alert color="red" variant="light" p="xs" data-testid="wizard-error-triggers">
              <Text size="sm">{errors.triggers}</Text>
            </Alert>
          )}
        </Stack>
      )}
      <Radio.Group
        label="Times are in"
        value={form.timeBase}
        onChange={(v) => set('timeBase', v === 'local' ? 'local' : 'utc')}
        error={errors.timeBase}
      >
        <Group mt={4}>
          <Radio value="utc" label="UTC (the same instant everywhere)" />
          <Radio value="local" label="Client local time (each device’s own zone)" />
        </Group>
      </Radio.Group>
      <SimpleGrid cols={{ base: 1, md: 2 }} maw={640}>
        <TextInput
          type="datetime-local"
          label="Available from"
          description={
            required
              ? 'Clients may pre-download from then; empty = now'
              : 'Offered from then; empty = now'
          }
          value={form.availableAt}
          onChange={(e) => set('availableAt', e.currentTarget.value)}
          error={errors.availableAt}
          data-testid="wizard-available-at"
        />
        <TextInput
          type="datetime-local"
          label="Expires"
          description="Nothing runs after it; empty = never"
          value={form.expiresAt}
          onChange={(e) => set('expiresAt', e.currentTarget.value)}
          error={errors.expiresAt}
          data-testid="wizard-expires-at"
        />
      </SimpleGrid>
      {required && (
        <Stack gap="xs">
          <Text size="sm" fw={500}>
            Extra one-off assignments
          </Text>
          <Text size="xs" c="dimmed">
            Additional single runs, in the same time base (added once the deployment exists).
          </Text>
          {form.extraAssignments.map((a, i) => (
            <Group key={i} gap="xs">
              <TextInput
                type="datetime-local"
                size="xs"
                value={a}
                onChange={(e) => {
                  const value = e.currentTarget.value;
                  set(
                    'extraAssignments',
                    form.extraAssignments.map((x, j) => (j === i ? value : x)),
                  );
                }}
              />
              <ActionIcon
                variant="subtle"
                color="gray"
                onClick={() =>
                  set(
                    'extraAssignments',
                    form.extraAssignments.filter((_, j) => j !== i),
                  )
                }
                aria-label="Remove assignment"
              >
                <IconX size={16} />
              </ActionIcon>
            </Group>
          ))}
          <Group>
            <Button
              size="xs"
              variant="subtle"
              leftSection={
                form.extraAssignments.length ? (
                  <IconPlus size={14} />
                ) : (
                  <IconCalendarPlus size={14} />
                )
              }
              onClick={() =>
                set('extraAssignments', [...form.extraAssignments, soon(form.timeBase)])
              }
            >
              Add assignment
            </Button>
          </Group>
          {errors.extraAssignments && (
            <Text size="sm" c="red">
              {errors.extraAssignments}
            </Text>
          )}
        </Stack>
      )}
    </Stack>
  );
}
