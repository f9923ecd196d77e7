import { Button } from '@mantine/core';
import { IconEdit } from '@tabler/icons-react';

/** The small "Edit" button of a table row. */
export function EditButton({ onClick }: { onClick: () => void }) {
  return (
    <Button size="xs" variant="subtle" leftSection={<IconEdit size={14} />} onClick={onClick}>
      Edit
    </Button>
  );
}
