import { Anchor, Breadcrumbs, Group, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';

export interface Crumb {
  label: string;
  to?: string;
}

export function PageHeader(props: {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  crumbs?: Crumb[];
  icon?: ReactNode;
  testId?: string;
  /** Actions move under the title when both do not fit (a page with many actions). */
  wrapActions?: boolean;
}) {
  return (
    <Stack gap={4} mb="md">
      {props.crumbs && props.crumbs.length > 0 && (
        <Breadcrumbs separatorMargin={6} fz="xs">
          {props.crumbs.map((c) =>
            c.to ? (
              <Anchor key={c.label} component={Link} to={c.to} size="xs">
                {c.label}
              </Anchor>
            ) : (
              <Text key={c.label} size="xs" c="dimmed">
                {c.label}
              </Text>
            ),
          )}
        </Breadcrumbs>
      )}
      <Group
        justify="space-between"
        align="flex-start"
        wrap={props.wrapActions ? 'wrap' : 'nowrap'}
        gap="md"
      >
        <Group gap="sm" wrap="nowrap" miw={0}>
          {props.icon}
          <Stack gap={2} miw={0}>
            <Title order={2} fz={22} fw={650} lh={1.25} data-testid={props.testId ?? 'page-title'}>
              {props.title}
            </Title>
            {props.description && (
              <Text size="sm" c="dimmed">
                {props.description}
              </Text>
            )}
          </Stack>
        </Group>
        {props.actions && (
          <Group gap="xs" wrap="nowrap">
            {props.actions}
          </Group>
        )}
      </Group>
    </Stack>
  );
}
