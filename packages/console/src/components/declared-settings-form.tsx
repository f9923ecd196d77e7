import { useEffect, useState } from 'react';
import { Button, Group } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  pickSettings,
  settingErrors,
  type Permission,
  type SettingsDeclaration,
  type SettingValues,
} from '@steward/protocol';
import { notifyError, notifySuccess } from '../api/errors';
import { useSession } from '../session/session-context';
import { SettingsFields } from './settings-fields';

/**
 * One object's settings edited from their protocol declaration (ADR 0016), as a DP page's role
 * sections use it (multicast, state migration point): loads the object, keeps the declared
 * fields as a draft, checks them against their schemas and saves them whole.
 */
export function DeclaredSettingsForm<
  D extends SettingsDeclaration,
  T extends SettingValues<D>,
>(props: {
  declaration: D;
  queryKey: readonly unknown[];
  load: () => Promise<T>;
  save: (values: SettingValues<D>) => Promise<T>;
  /** Who may save (read-only fields otherwise). */
  permission: Permission;
  saveLabel: string;
  savedTitle: string;
  savedMessage: string;
  failedTitle: string;
  testIdPrefix: string;
}) {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: props.queryKey, queryFn: props.load });
  const [values, setValues] = useState<SettingValues<D> | undefined>(undefined);
  useEffect(() => {
    if (settings.data) setValues(pickSettings(props.declaration, settings.data));
  }, [settings.data, props.declaration]);
  const save = useMutation({
    mutationFn: props.save,
    onSuccess: (saved: T) => {
      queryClient.setQueryData(props.queryKey, saved);
      notifySuccess(props.savedMessage, props.savedTitle);
    },
    onError: (e) => notifyError(e, props.failedTitle),
  });
  if (!values) return null;
  const errors = settingErrors(props.declaration, values);
  const writable = can(props.permission);
  return (
    <>
      <SettingsFields
        declaration={props.declaration}
        values={values}
        onChange={(k, v) => setValues({ ...values, [k]: v })}
        errors={errors}
        testIdPrefix={props.testIdPrefix}
        disabled={!writable}
      />
      {writable && (
        <Group justify="flex-end" mt="sm">
          <Button
            onClick={() => save.mutate(values)}
            loading={save.isPending}
            disabled={Object.keys(errors).length > 0}
            data-testid={`${props.testIdPrefix}-save`}
          >
            {props.saveLabel}
          </Button>
        </Group>
      )}
    </>
  );
}
