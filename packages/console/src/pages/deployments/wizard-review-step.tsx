import { Alert, Badge, Code, Group, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { errorCode, errorMessage } from '../../api/errors';
import { useCollections } from '../../components/collection-select';
import { KeyValueTable } from '../../components/key-value-table';
import { usePrograms } from '../software/queries';
import { describeTrigger, describeWallTime } from './recurrence';
import { rerunLabel } from './wizard-behaviour-step';
import { triggerOf, type WizardForm } from './wizard-model';

function yes(b: boolean): string {
  return b ? 'Yes' : 'No';
}

/** Step 5: everything on one page before creating. */
export function ReviewStep({ form, siteError }: { form: WizardForm; siteError: unknown }) {
  const programs = usePrograms();
  const collections = useCollections();
  const program = programs.data?.find((p) => p.id === form.programId);
  const collection = collections.data?.find((c) => c.id === form.collectionId);
  const required = form.purpose === 'required';
  const rows: [string, ReactNode][] = [
    ['Name', form.name.trim() || `${program?.name ?? '…'} to ${collection?.name ?? '…'}`],
    ['Program', program ? `${program.packageName} › ${program.name}` : form.programId],
    [
      'Collection',
      collection
        ? `${collection.name} (${collection.memberCount} device${collection.memberCount === 1 ? '' : 's'})`
        : form.collectionId,
    ],
    [
      'Purpose',
      <Badge variant="light" color={required ? 'indigo' : 'cyan'}>
        {required ? 'Required' : 'Available'}
      </Badge>,
    ],
  ];
  if (required)
    rows.push([
      'Schedules',
      <Stack gap={2}>
        {form.triggers.map((t) => (
          <Text size="sm" key={t.key}>
            {describeTrigger(triggerOf(t), form.timeBase)}
          </Text>
        ))}
        {form.extraAssignments.map((a) => (
          <Text size="sm" key={a}>
            Extra: {describeWallTime(a, form.timeBase)}
          </Text>
        ))}
      </Stack>,
    ]);
  rows.push(
    [
      'Available from',
      form.availableAt ? describeWallTime(form.availableAt, form.timeBase) : 'now',
    ],
    ['Expires', form.expiresAt ? describeWallTime(form.expiresAt, form.timeBase) : 'never'],
    ['Rerun', rerunLabel(form.rerun)],
    [
      'Content',
      form.contentMode === 'download'
        ? 'Download and run locally'
        : 'Run from the distribution point',
    ],
  );
  if (required) rows.push(['Pre-download', yes(form.preDownload)]);
  rows.push(
    ['Over slow boundaries', yes(form.runOverSlowBoundary)],
    ['Fallback DP', yes(form.allowFallback)],
    ['Outside maintenance windows', yes(form.overrideMaintenanceWindows)],
  );
  if (required) rows.push(['Postpone up to', `${form.maxPostponeMinutes} minutes`]);
  rows.push(['Enabled', yes(form.enabled)]);
  return (
    <Stack gap="md" data-testid="wizard-review">
      <KeyValueTable rows={rows} labelWidth={220} />
      {siteError !== null && siteError !== undefined && (
        <Alert
          color="red"
          variant="light"
          icon={<IconAlertTriangle size={18} />}
          title="Not created"
          data-testid="wizard-site-error"
        >
          <Group gap={6}>
            <Code>{errorCode(siteError)}</Code>
            <Text size="sm">{errorMessage(siteError)}</Text>
          </Group>
        </Alert>
      )}
    </Stack>
  );
}
