import { Anchor, Badge, Code, Group, Stack, Text } from '@mantine/core';
import type { CollectionRule } from '@steward/protocol';
import { Link } from 'react-router-dom';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { useCollections } from '../../components/collection-select';

/** A direct member by name (the rule stores the id); shares the device page's cache. */
function DeviceName({ id }: { id: string }) {
  const device = useQuery({
    queryKey: ['device', id],
    queryFn: () => api.getDevice(id),
    staleTime: 60_000,
    meta: { silent: true },
  });
  return <>{device.data?.name ?? id}</>;
}

/** Read-only rendering of a rule set: queries as code, the others as links. */
export function CollectionRulesView({ rules }: { rules: readonly CollectionRule[] }) {
  const collections = useCollections();
  const name = (id: string) => collections.data?.find((c) => c.id === id)?.name ?? id;
  if (rules.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No rules: the collection has no members.
      </Text>
    );
  }
  return (
    <Stack gap="xs">
      {rules.map((r, i) => {
        switch (r.kind) {
          case 'query':
            return (
              <Stack key={i} gap={2}>
                <Group gap={6}>
                  <Badge size="xs" variant="light" color="indigo">
                    query
                  </Badge>
                  {r.name && (
                    <Text size="sm" fw={500}>
                      {r.name}
                    </Text>
                  )}
                </Group>
                <Code block fz={12.5}>
                  {r.query}
                </Code>
              </Stack>
            );
          case 'direct':
            return (
              <Group key={i} gap={6}>
                <Badge size="xs" variant="light" color="teal">
                  direct
                </Badge>
                <Anchor
                  component={Link}
                  to={`/devices/${encodeURIComponent(r.deviceId)}`}
                  size="sm"
                >
                  <DeviceName id={r.deviceId} />
                </Anchor>
              </Group>
            );
          case 'include':
          case 'exclude':
            return (
              <Group key={i} gap={6}>
                <Badge size="xs" variant="light" color={r.kind === 'include' ? 'cyan' : 'red'}>
                  {r.kind}
                </Badge>
                <Anchor
                  component={Link}
                  to={`/collections/${encodeURIComponent(r.collectionId)}`}
                  size="sm"
                >
                  {name(r.collectionId)}
                </Anchor>
              </Group>
            );
        }
        return null;
      })}
    </Stack>
  );
}
