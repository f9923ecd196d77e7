import {
  Alert,
  Button,
  Card,
  Grid,
  Group,
  NumberInput,
  Stack,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { IconDeviceFloppy, IconLock } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, BUILTIN_CLASSES, ErrorCode, WEEK_MINUTES } from '@steward/protocol';
import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { api } from '../../api/client';
import { errorCode, errorMessage, notifyError, notifySuccess } from '../../api/errors';
import { CollectionSelect } from '../../components/collection-select';
import { ErrorState } from '../../components/error-state';
import { MissingFieldsHint, missingFields } from '../../components/form-actions';
import { PageHeader } from '../../components/page-header';
import { BlockSkeleton } from '../../components/table-skeleton';
import { useSession } from '../../session/session-context';
import { CollectionPreview } from './collection-preview';
import {
  definitionOf,
  emptyForm,
  formFromDefinition,
  queriesValid,
  rulesOf,
} from './collection-form';
import type { CollectionForm } from './collection-form';
import { RulesEditor } from './rules-editor';

export function useInventoryCatalog() {
  return useQuery({
    queryKey: ['inventory-classes'],
    queryFn: () => api.listInventoryClasses(),
    staleTime: 60_000,
  });
}

/** Create or edit a collection, with a live preview of its members. */
export function CollectionEditPage() {
  const { collectionId } = useParams();
  const editing = collectionId !== undefined;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { can } = useSession();
  const [form, setForm] = useState<CollectionForm | null>(editing ? null : emptyForm());
  const [nameError, setNameError] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const catalog = useInventoryCatalog();
  const existing = useQuery({
    queryKey: ['collection', collectionId],
    queryFn: () => api.getCollection(collectionId ?? ''),
    enabled: editing,
  });
  useEffect(() => {
    if (existing.data && form === null) setForm(formFromDefinition(existing.data));
  }, [existing.data, form]);

  const save = useMutation({
    mutationFn: (f: CollectionForm) =>
      editing
        ? api.updateCollection(collectionId, definitionOf(f))
        : api.createCollection(definitionOf(f)),
    meta: { silent: true },
    onSuccess: (c) => {
      notifySuccess(`Collection “${c.name}” saved; it is being evaluated.`);
      void queryClient.invalidateQueries({ queryKey: ['collections'] });
      void queryClient.invalidateQueries({ queryKey: ['collection', c.id] });
      void navigate(`/collections/${encodeURIComponent(c.id)}`);
    },
    onError: (err) => {
      switch (errorCode(err)) {
        case ErrorCode.COLLECTION_NAME_TAKEN:
          setNameError('Another collection already has this name.');
          break;
        case ErrorCode.QUERY_SYNTAX:
        case ErrorCode.QUERY_TYPE:
        case ErrorCode.COLLECTION_CYCLE:
        case ErrorCode.INVALID_INPUT:
          setSaveError(err);
          break;
        default:
          notifyError(err, 'Could not save the collection');
      }
    },
  });

  if (editing && existing.isError)
    return <ErrorState error={existing.error} what="this collection" />;
  const builtin = existing.data?.builtin ?? false;
  const readOnly = builtin || !can('collections:write');
  // Without the site's class list (custom classes included) the built-in ones still check most
  // queries; the server validates again on save.
  const classes = catalog.data ?? (catalog.isError ? BUILTIN_CLASSES : undefined);
  const valid = form ? queriesValid(form, classes) : false;
  const patch = (p: Partial<CollectionForm>) => {
    setForm((f) => (f ? { ...f, ...p } : f));
    if ('name' in p) setNameError(null);
    setSaveError(null);
  };

  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Collections', to: '/collections' },
          ...(editing
            ? [
                {
                  label: existing.data?.name ?? '…',
                  to: `/collections/${encodeURIComponent(collectionId)}`,
                },
              ]
            : []),
          { label: editing ? 'Edit' : 'New collection' },
        ]}
        title={editing ? `Edit ${existing.data?.name ?? ''}` : 'New collection'}
        description="Pick devices by inventory queries, direct membership and other collections."
        actions={
          <>
            {form && !readOnly && (
              <MissingFieldsHint missing={missingFields({ Name: form.name.trim() !== '' })} />
            )}
            <Button variant="default" onClick={() => void navigate(-1)}>
              Cancel
            </Button>
            <Button
              leftSection={<IconDeviceFloppy size={16} />}
              loading={save.isPending}
              disabled={!form || readOnly || !form.name.trim() || !valid}
              onClick={() => form && save.mutate(form)}
              data-testid="collection-save"
            >
              Save
            </Button>
          </>
        }
      />
      {readOnly && (
        <Alert color="gray" variant="light" icon={<IconLock size={18} />} mb="md">
          {builtin
            ? 'Built-in collections are maintained by Steward and cannot be changed. Create a new collection that includes or limits to this one instead.'
            : 'Your role cannot change collections.'}
        </Alert>
      )}
      {saveError !== null && (
        <Alert
          color="red"
          variant="light"
          mb="md"
          title={`Not saved: ${errorCode(saveError)}`}
          data-testid="collection-save-error"
        >
          <Text size="sm">{errorMessage(saveError)}</Text>
          {saveError instanceof ApiError && saveError.details !== undefined && (
            <Text size="xs" c="dimmed" mt={4} ff="monospace">
              {JSON.stringify(saveError.details)}
            </Text>
          )}
        </Alert>
      )}
      {!form ? (
        <Card p="md">
          <BlockSkeleton lines={8} />
        </Card>
      ) : (
        <Grid gutter="md">
          <Grid.Col span={{ base: 12, lg: 8 }}>
            <Stack gap="md">
              <Card p="md">
                <Stack gap="sm">
                  <TextInput
                    label="Name"
                    required
                    value={form.name}
                    onChange={(e) => patch({ name: e.currentTarget.value })}
                    error={nameError}
                    maxLength={200}
                    data-testid="collection-name"
                  />
                  <Textarea
                    label="Description"
                    autosize
                    minRows={2}
                    value={form.description}
                    onChange={(e) => patch({ description: e.currentTarget.value })}
                    maxLength={2000}
                    data-testid="collection-description"
                  />
                  <Group grow align="flex-start">
                    <CollectionSelect
                      label="Limiting collection"
                      description="Only members of this collection can be members"
                      placeholder="All devices"
                      value={form.limitingCollectionId}
                      onChange={(limitingCollectionId) => patch({ limitingCollectionId })}
                      exclude={collectionId ? [collectionId] : []}
                      data-testid="limiting-collection"
                    />
                    <NumberInput
                      label="Full evaluation every"
                      description="Minutes; inventory changes are evaluated at once"
                      min={5}
                      max={WEEK_MINUTES}
                      value={form.evaluationIntervalMinutes}
                      onChange={(v) =>
                        patch({ evaluationIntervalMinutes: typeof v === 'number' ? v : 60 })
                      }
                      suffix=" min"
                    />
                  </Group>
                </Stack>
              </Card>
              <RulesEditor form={form} onChange={patch} catalog={classes} selfId={collectionId} />
            </Stack>
          </Grid.Col>
          <Grid.Col span={{ base: 12, lg: 4 }}>
            <div style={{ position: 'sticky', top: 72 }}>
              <CollectionPreview
                request={{ limitingCollectionId: form.limitingCollectionId, rules: rulesOf(form) }}
                ready={valid}
                reason={
                  classes
                    ? 'Fix the query errors to see the preview.'
                    : 'Loading the inventory classes…'
                }
              />
            </div>
          </Grid.Col>
        </Grid>
      )}
    </>
  );
}
