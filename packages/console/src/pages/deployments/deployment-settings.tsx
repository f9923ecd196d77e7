import { Stack, Text } from '@mantine/core';
import { DeploymentOptions, type Deployment } from '@steward/protocol';
import { KeyValueTable } from '../../components/key-value-table';
import { describeTrigger, describeWallTime } from './recurrence';
import { settingRows } from '../../components/settings-fields';

/** The deployment's schedule and behaviour settings, as created. */
export function DeploymentSettings({ d }: { d: Deployment }) {
  const required = d.purpose === 'required';
  return (
    <KeyValueTable
      labelWidth={230}
      rows={[
        [
          'Schedules',
          required ? (
            <Stack gap={2}>
              {d.triggers.map((t, i) => (
                <Text size="sm" key={i}>
                  {describeTrigger(t, d.timeBase)}
                </Text>
              ))}
              {d.extraAssignments.map((a) => (
                <Text size="sm" key={a}>
                  Extra: {describeWallTime(a, d.timeBase)}
                </Text>
              ))}
              {d.triggers.length === 0 && d.extraAssignments.length === 0 && '—'}
            </Stack>
          ) : (
            'Offered in the Software Center'
          ),
        ],
        ['Time base', d.timeBase === 'utc' ? 'UTC' : 'Client local time'],
        [
          'Available from',
          d.availableAt ? describeWallTime(d.availableAt, d.timeBase) : 'creation',
        ],
        ['Expires', d.expiresAt ? describeWallTime(d.expiresAt, d.timeBase) : 'never'],
        ['Revision', `#${d.revision} (raised by each rerun)`],
        // Every deployment option, labelled as the forms label it (declared once in protocol).
        ...settingRows(DeploymentOptions, d, { required }),
        ['Created', `${new Date(d.createdAt).toLocaleString()} by ${d.createdBy}`],
      ]}
    />
  );
}
