import { Button } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import type { ReactNode } from 'react';

/** The primary "New …" button of a list; `icon` replaces the plus where the action is not a creation. */
export function NewButton(props: {
  onClick: () => void;
  testId?: string;
  icon?: ReactNode;
  children: ReactNode;
}) {
  return (
    <Button
      leftSection={props.icon ?? <IconPlus size={16} />}
      onClick={props.onClick}
      data-testid={props.testId}
    >
      {props.children}
    </Button>
  );
}
