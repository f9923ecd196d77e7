import { useEffect, useState } from 'react';
import { Anchor, Button, Group, Paper, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import {
  DpStateMigrationOptions,
  ops,
  pickSettings,
  settingErrors,
  type DpStateMigration,
  type SettingValues,
} from '@steward/protocol';
import { api } from '../../api/client';
import { notifyError, notifySuccess } from '../../api/errors';
import { SettingsFields } from '../../components/settings-fields';
import { useSession } from '../../session/session-context';

type Values = SettingValues<typeof DpStateMigrationOptions>;

/**
 * The DP page's state migration point section (issue 11, ADR 0096): the role's settings,
 * rendered from their declaration, and a link to the user-state records it holds.
 */
export function DpStateMigrationSection({ dpId }: { dpId: string }) {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const key = ['dp-state-migration', dpId];
  const settings = useQuery({
    queryKey: key,
    queryFn: () => api.call(ops.dpStateMigration.get, { params: { id: dpId } }),
  });
  const [values, setValues] = useState<Values | undefined>(undefined);
  useEffect(() => {
    if (settings.data) setValues(pickSettings(DpStateMigrationOptions, settings.data));
  }, [settings.data]);
  const save = useMutation({
    mutationFn: (body: Values) =>
      api.call(ops.dpStateMigration.update, { params: { id: dpId }, body }),
    onSuccess: (saved: DpStateMigration) => {
      queryClient.setQueryData(key, saved);
      notifySuccess('The DP applies them at its next poll', 'State migration point saved');
    },
    onError: (e) => notifyError(e, 'State migration point not saved'),
  });
  const errors = values ? settingErrors(DpStateMigrationOptions, values) : {};
  return (
    <Paper p="md" data-testid="dp-state-migration">
      <Title order={4} mb="sm">
        State migration point
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Keeps user state captured by task sequences, encrypted with a key only the owning run gets.{' '}
        <Anchor component={Link} to="/software/user-state">
          User-state records
        </Anchor>
      </Text>
      {values && (
        <>
          <SettingsFields
            declaration={DpStateMigrationOptions}
            values={values}
            onChange={(k, v) => setValues({ ...values, [k]: v })}
            errors={errors}
            testIdPrefix="dp-state-migration"
            disabled={!can('software:write')}
          />
          {can('software:write') && (
            <Group justify="flex-end" mt="sm">
              <Button
                onClick={() => save.mutate(values)}
                loading={save.isPending}
                disabled={Object.keys(errors).length > 0}
                data-testid="dp-state-migration-save"
              >
                Save state migration point
              </Button>
            </Group>
          )}
        </>
      )}
    </Paper>
  );
}
