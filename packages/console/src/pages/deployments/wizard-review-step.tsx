import { Alert, Badge, Code, Group, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { DeploymentOptions } from '@steward/protocol';
import type { ReactNode } from 'react';
import { errorCode, errorMessage } from '../../api/errors';
import { useCollections } from '../../components/collection-select';
import { KeyValueTable } from '../../components/key-value-table';
import { usePrograms } from '../software/queries';
import { describeTrigger, describeWallTime } from './recurrence';
import { settingRows } from '../../components/settings-fields';
import { triggerOf, type WizardForm } from './wizard-model';

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
  );
  // Every deployment option, as the behaviour step showed it (declared once in protocol).
  rows.push(
    ...settingRows(DeploymentOptions, form, { required }).map(
      ([label, value]): [string, ReactNode] => [label, value],
    ),
  );
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
