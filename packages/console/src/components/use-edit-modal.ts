import { useDisclosure } from '@mantine/hooks';
import { useState } from 'react';

/**
 * One modal that both creates and edits items of a list: `editing` is the item being edited, or
 * undefined for a new one. Key the form on `editing?.id ?? 'new'` so it starts from that item.
 */
export function useEditModal<T>() {
  const [opened, { open, close }] = useDisclosure(false);
  const [editing, setEditing] = useState<T | undefined>(undefined);
  return {
    opened,
    editing,
    close,
    openNew: () => {
      setEditing(undefined);
      open();
    },
    openEdit: (item: T) => {
      setEditing(item);
      open();
    },
  };
}
