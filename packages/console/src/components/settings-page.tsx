import { Alert, Button, Group, Paper } from '@mantine/core';
import { IconDeviceFloppy, IconInfoCircle } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { notifySuccess } from '../api/errors';
import { ErrorState } from './error-state';
import { PageHeader } from './page-header';
import { BlockSkeleton } from './table-skeleton';

/**
 * A page that edits one settings object of the site (client settings, site settings): it loads
 * the object, keeps a draft, saves it whole, and says when the role may only read it. The fields
 * are the caller's (rendered from the object's protocol declaration where it has one).
 */
export function SettingsPage<T>(props: {
  title: string;
  description: string;
  /** Lower-case name for messages: 'the client settings'. */
  what: string;
  queryKey: string;
  load: () => Promise<T>;
  save: (draft: T) => Promise<T>;
  savedMessage: string;
  writable: boolean;
  testId: string;
  skeletonLines: number;
  children: (draft: T, setDraft: (next: T) => void) => ReactNode;
}) {
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: [props.queryKey], queryFn: props.load });
  const [draft, setDraft] = useState<T | null>(null);
  useEffect(() => {
    if (settings.data !== undefined && draft === null) setDraft(settings.data);
  }, [settings.data, draft]);
  const save = useMutation({
    mutationFn: props.save,
    meta: { errorTitle: `Could not save ${props.what}` },
    onSuccess: (s) => {
      queryClient.setQueryData([props.queryKey], s);
      setDraft(s);
      notifySuccess(props.savedMessage);
    },
  });
  const dirty = draft !== null && JSON.stringify(draft) !== JSON.stringify(settings.data);
  return (
    <>
      <PageHeader
        title={props.title}
        description={props.description}
        actions={
          <Button
            leftSection={<IconDeviceFloppy size={16} />}
            disabled={!dirty || !props.writable}
            loading={save.isPending}
            onClick={() => draft !== null && save.mutate(draft)}
            data-testid={`${props.testId}-save`}
          >
            Save
          </Button>
        }
      />
      {settings.isError ? (
        <ErrorState error={settings.error} what={props.what} />
      ) : draft === null ? (
        <Paper p="md">
          <BlockSkeleton lines={props.skeletonLines} />
        </Paper>
      ) : (
        <>
          {!props.writable && (
            <Alert color="gray" variant="light" mb="md" icon={<IconInfoCircle size={18} />}>
              Your role can read {props.what} but not change them.
            </Alert>
          )}
          {props.children(draft, setDraft)}
          {dirty && (
            <Group justify="flex-end" mt="md">
              <Button variant="default" onClick={() => setDraft(settings.data ?? null)}>
                Discard changes
              </Button>
            </Group>
          )}
        </>
      )}
    </>
  );
}
