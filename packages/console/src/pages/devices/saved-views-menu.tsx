import { Badge, Button, Checkbox, Group, Menu, Modal, Stack, Text, TextInput } from '@mantine/core';
import {
  IconCheck,
  IconDeviceFloppy,
  IconLayoutList,
  IconLink,
  IconPencil,
  IconStar,
  IconStarOff,
  IconTrash,
  IconUsers,
} from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { SavedView } from '@steward/protocol';
import { useState } from 'react';
import { api } from '../../api/client';
import { notifyError, notifySuccess } from '../../api/errors';
import { SaveErrorAlert } from '../../components/save-error-alert';
import { useSession } from '../../session/session-context';
import { matchesView, stateOfView, viewStateOf, type DeviceListState } from './device-list-filters';

export const VIEWS_KEY = ['views', 'devices'] as const;

/** The caller's views and the shared ones (ADR 0034). */
export function useSavedViews() {
  return useQuery({ queryKey: VIEWS_KEY, queryFn: () => api.listViews({ list: 'devices' }) });
}

/** Name (and sharing) of a new view, or a new name for one. */
function NameModal(props: {
  title: string;
  initial: string;
  withShared: boolean;
  onClose: () => void;
  onSubmit: (name: string, shared: boolean) => Promise<unknown>;
}) {
  const [name, setName] = useState(props.initial);
  const [shared, setShared] = useState(false);
  const save = useMutation({ mutationFn: () => props.onSubmit(name.trim(), shared) });
  const empty = name.trim() === '';
  return (
    <Modal opened onClose={props.onClose} title={props.title}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!empty) save.mutate(undefined, { onSuccess: props.onClose });
        }}
      >
        <Stack>
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            maxLength={100}
            error={empty && name !== props.initial ? 'A view needs a name' : undefined}
            data-autofocus
            data-testid="view-name"
          />
          {props.withShared && (
            <Checkbox
              label="Share with every user of the site (they can use it, only you can change it)"
              checked={shared}
              onChange={(e) => setShared(e.currentTarget.checked)}
              data-testid="view-shared"
            />
          )}
          {save.isError && <SaveErrorAlert error={save.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} disabled={empty} data-testid="view-save">
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/**
 * The device list's view menu: open a saved view, save the list as a view, update, rename,
 * share, delete it, make it the default, copy the link that shows the same list (ADR 0034).
 */
export function SavedViewsMenu(props: {
  state: DeviceListState;
  apply: (next: DeviceListState) => void;
}) {
  const { user } = useSession();
  const queryClient = useQueryClient();
  const views = useSavedViews();
  const [modal, setModal] = useState<'save' | 'rename' | null>(null);
  const current = views.data?.find((v) => v.id === props.state.view);
  const mine = current !== undefined && current.owner === user?.name;
  const modified = current !== undefined && !matchesView(props.state, current.state);
  const refresh = () => queryClient.invalidateQueries({ queryKey: VIEWS_KEY });
  const act = (fn: () => Promise<unknown>, done: string) => {
    fn().then(
      () => {
        notifySuccess(done);
        void refresh();
      },
      (err: unknown) => notifyError(err, 'The view was not changed'),
    );
  };
  const open = (v: SavedView) => props.apply(stateOfView(v.state, v.id));
  const own = (views.data ?? []).filter((v) => v.owner === user?.name);
  const shared = (views.data ?? []).filter((v) => v.owner !== user?.name);
  const item = (v: SavedView) => (
    <Menu.Item
      key={v.id}
      onClick={() => open(v)}
      leftSection={v.id === current?.id ? <IconCheck size={14} /> : <span style={{ width: 14 }} />}
      rightSection={
        v.isDefault ? (
          <IconStar size={12} />
        ) : v.shared && v.owner === user?.name ? (
          <IconUsers size={12} />
        ) : undefined
      }
      data-testid="view-item"
      data-view-name={v.name}
    >
      {v.name}
      {v.owner !== user?.name && (
        <Text span size="xs" c="dimmed">
          {' '}
          by {v.owner}
        </Text>
      )}
    </Menu.Item>
  );
  return (
    <>
      <Menu position="bottom-end" shadow="md" width={280}>
        <Menu.Target>
          <Button
            variant="default"
            leftSection={<IconLayoutList size={16} />}
            data-testid="views-menu"
          >
            {current ? current.name : 'Views'}
            {modified && (
              <Badge ml={6} size="xs" variant="light" color="yellow" data-testid="view-modified">
                modified
              </Badge>
            )}
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          {own.length > 0 && <Menu.Label>Your views</Menu.Label>}
          {own.map(item)}
          {shared.length > 0 && <Menu.Label>Shared views</Menu.Label>}
          {shared.map(item)}
          {(views.data ?? []).length === 0 && (
            <Menu.Label>No saved views yet: save this list as one.</Menu.Label>
          )}
          <Menu.Divider />
          <Menu.Item
            leftSection={<IconDeviceFloppy size={14} />}
            onClick={() => setModal('save')}
            data-testid="view-save-as"
          >
            Save as new view…
          </Menu.Item>
          {current && mine && (
            <>
              <Menu.Item
                leftSection={<IconDeviceFloppy size={14} />}
                disabled={!modified}
                onClick={() =>
                  act(
                    () => api.updateView(current.id, { state: viewStateOf(props.state) }),
                    `View “${current.name}” updated.`,
                  )
                }
                data-testid="view-update"
              >
                Update “{current.name}”
              </Menu.Item>
              <Menu.Item
                leftSection={<IconPencil size={14} />}
                onClick={() => setModal('rename')}
                data-testid="view-rename"
              >
                Rename…
              </Menu.Item>
              <Menu.Item
                leftSection={<IconUsers size={14} />}
                onClick={() =>
                  act(
                    () => api.updateView(current.id, { shared: !current.shared }),
                    current.shared
                      ? 'The view is private now.'
                      : 'The view is shared with every user.',
                  )
                }
                data-testid="view-share"
              >
                {current.shared ? 'Make private' : 'Share with everyone'}
              </Menu.Item>
            </>
          )}
          {current && (
            <Menu.Item
              leftSection={current.isDefault ? <IconStarOff size={14} /> : <IconStar size={14} />}
              onClick={() =>
                current.isDefault
                  ? act(
                      () => api.clearDefaultView(current.id),
                      'The device list opens with all devices again.',
                    )
                  : act(
                      () => api.setDefaultView(current.id),
                      `The device list opens with “${current.name}”.`,
                    )
              }
              data-testid="view-default"
            >
              {current.isDefault
                ? 'Stop opening with this view'
                : 'Open the device list with this view'}
            </Menu.Item>
          )}
          <Menu.Item
            leftSection={<IconLink size={14} />}
            onClick={() => {
              navigator.clipboard.writeText(window.location.href).then(
                () =>
                  notifySuccess('Link copied: it opens this list, with these columns and filters.'),
                (err: unknown) => notifyError(err, 'Could not copy the link'),
              );
            }}
            data-testid="view-copy-link"
          >
            Copy link to this list
          </Menu.Item>
          {current && mine && (
            <Menu.Item
              color="red"
              leftSection={<IconTrash size={14} />}
              onClick={() => {
                if (!window.confirm(`Delete the view “${current.name}”?`)) return;
                act(() => api.deleteView(current.id), `View “${current.name}” deleted.`);
                props.apply({ ...props.state, view: undefined });
              }}
              data-testid="view-delete"
            >
              Delete
            </Menu.Item>
          )}
        </Menu.Dropdown>
      </Menu>
      {modal === 'save' && (
        <NameModal
          title="Save as a view"
          initial=""
          withShared
          onClose={() => setModal(null)}
          onSubmit={async (name, isShared) => {
            const v = await api.createView({
              name,
              shared: isShared,
              state: viewStateOf(props.state),
            });
            await refresh();
            notifySuccess(`View “${v.name}” saved.`);
            props.apply({ ...props.state, view: v.id });
          }}
        />
      )}
      {modal === 'rename' && current && (
        <NameModal
          title="Rename the view"
          initial={current.name}
          withShared={false}
          onClose={() => setModal(null)}
          onSubmit={async (name) => {
            await api.updateView(current.id, { name });
            await refresh();
          }}
        />
      )}
    </>
  );
}
