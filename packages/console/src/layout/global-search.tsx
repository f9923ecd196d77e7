import {
  Badge,
  Group,
  Kbd,
  Loader,
  Modal,
  Stack,
  Text,
  TextInput,
  UnstyledButton,
} from '@mantine/core';
import { useDebouncedValue, useDisclosure, useHotkeys } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { SEARCH_KINDS, type SearchHit, type SearchKind } from '@steward/protocol';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api } from '../api/client';
import { ErrorState } from '../components/error-state';

const KIND_LABELS: Record<SearchKind, string> = {
  device: 'Devices',
  collection: 'Collections',
  package: 'Packages',
  program: 'Programs',
  deployment: 'Deployments',
  update: 'Software updates',
  'custom-update': 'Custom updates',
  cve: 'CVEs',
  advisory: 'Advisories',
  'update-group': 'Update groups',
  'update-deployment': 'Update deployments',
  'update-rule': 'Automatic deployment rules',
  'task-sequence': 'Task sequences',
  'task-sequence-deployment': 'Task-sequence deployments',
  'os-image': 'OS images',
  'boot-image': 'Boot images',
  user: 'Users',
  'distribution-point': 'Distribution points',
};

/** The console page of a search hit. */
export function hitPath(hit: SearchHit): string {
  const id = encodeURIComponent(hit.id);
  switch (hit.kind) {
    case 'device':
      return `/devices/${id}`;
    case 'collection':
      return `/collections/${id}`;
    case 'package':
      return `/software/packages/${id}`;
    case 'program':
      return hit.packageId
        ? `/software/packages/${encodeURIComponent(hit.packageId)}`
        : '/software/packages';
    case 'deployment':
      return `/deployments/${id}`;
    case 'update':
      return `/software/updates/${id}`;
    case 'custom-update':
      return `/software/custom-updates/${id}`;
    case 'cve':
      return `/monitoring/cves/${id}`;
    case 'advisory':
      return `/software/advisories/${id}`;
    case 'update-group':
      return `/software/update-groups/${id}`;
    case 'update-deployment':
      return `/software/update-deployments/${id}`;
    case 'update-rule':
      return `/software/update-rules/${id}`;
    case 'task-sequence':
      return `/software/task-sequences/${id}`;
    case 'task-sequence-deployment':
      return `/software/task-sequence-deployments/${id}`;
    // Images have no page of their own: their list.
    case 'os-image':
      return '/software/os-images';
    case 'boot-image':
      return '/software/boot-images';
    case 'user':
      return '/admin/users';
    case 'distribution-point':
      return `/admin/distribution-points/${id}`;
  }
}

/**
 * Global search (ADR 0033): the header's search button, Ctrl+K (Cmd+K) or "/" opens it; results
 * are grouped by kind, the arrow keys move through them and Enter opens the chosen one.
 */
export function GlobalSearch() {
  const [opened, { open, close }] = useDisclosure(false);
  useHotkeys([
    ['mod+K', open],
    ['/', open],
  ]);
  return (
    <>
      <UnstyledButton
        onClick={open}
        data-testid="global-search-open"
        aria-label="Search (Ctrl+K)"
        px="sm"
        py={6}
        style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 6 }}
      >
        <Group gap={8} wrap="nowrap">
          <IconSearch size={16} stroke={1.6} />
          <Text size="sm" c="dimmed" visibleFrom="md">
            Search
          </Text>
          <Kbd size="xs" visibleFrom="md">
            Ctrl K
          </Kbd>
        </Group>
      </UnstyledButton>
      <Modal
        opened={opened}
        onClose={close}
        withCloseButton={false}
        size="lg"
        padding="sm"
        yOffset="10vh"
        title={null}
      >
        {opened && <SearchPanel onDone={close} />}
      </Modal>
    </>
  );
}

function SearchPanel({ onDone }: { onDone: () => void }) {
  const navigate = useNavigate();
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const [q] = useDebouncedValue(text.trim(), 150);
  const results = useQuery({
    queryKey: ['search', q],
    queryFn: () => api.search(q),
    enabled: q !== '',
    placeholderData: keepPreviousData,
  });
  const hits = q === '' ? [] : (results.data?.hits ?? []);
  const go = (hit: SearchHit | undefined) => {
    if (!hit) return;
    onDone();
    void navigate(hitPath(hit));
  };
  return (
    <Stack gap="xs">
      <TextInput
        data-autofocus
        placeholder="Devices (name, address, serial, user), collections, packages, deployments…"
        leftSection={results.isFetching ? <Loader size={14} /> : <IconSearch size={16} />}
        value={text}
        onChange={(e) => {
          setText(e.currentTarget.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setActive((i) => Math.min(i + 1, hits.length - 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((i) => Math.max(i - 1, 0));
          } else if (e.key === 'Enter') {
            e.preventDefault();
            go(hits[active]);
          }
        }}
        data-testid="global-search-input"
        aria-label="Search everything"
      />
      {results.isError ? (
        <ErrorState error={results.error} what="the search" />
      ) : q !== '' && results.data && hits.length === 0 ? (
        <Text size="sm" c="dimmed" p="sm" data-testid="global-search-empty">
          Nothing matches “{q}”.
        </Text>
      ) : (
        <HitGroups hits={hits} active={active} onHover={setActive} onPick={go} />
      )}
    </Stack>
  );
}

function HitGroups({
  hits,
  active,
  onHover,
  onPick,
}: {
  hits: readonly SearchHit[];
  active: number;
  onHover: (i: number) => void;
  onPick: (hit: SearchHit) => void;
}) {
  return (
    <Stack gap={4} data-testid="global-search-results" role="listbox">
      {SEARCH_KINDS.map((kind) => {
        const inKind = hits.flatMap((hit, i) => (hit.kind === kind ? [{ hit, i }] : []));
        if (inKind.length === 0) return null;
        return (
          <Stack gap={2} key={kind}>
            <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="xs" pt={4}>
              {KIND_LABELS[kind]}
            </Text>
            {inKind.map(({ hit, i }) => (
              <UnstyledButton
                key={`${hit.kind}-${hit.id}`}
                role="option"
                aria-selected={i === active}
                onMouseEnter={() => onHover(i)}
                onClick={() => onPick(hit)}
                px="xs"
                py={6}
                data-testid="global-search-hit"
                style={{
                  borderRadius: 6,
                  background: i === active ? 'var(--mantine-color-default-hover)' : undefined,
                }}
              >
                <Group justify="space-between" wrap="nowrap" gap="sm">
                  <Text size="sm" fw={600} truncate>
                    {hit.name}
                  </Text>
                  <Group gap={6} wrap="nowrap">
                    <Text size="xs" c="dimmed" truncate maw={280}>
                      {hit.detail}
                    </Text>
                    {i === active && (
                      <Badge size="xs" variant="light">
                        Enter
                      </Badge>
                    )}
                  </Group>
                </Group>
              </UnstyledButton>
            ))}
          </Stack>
        );
      })}
    </Stack>
  );
}
