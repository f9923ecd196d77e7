import { Button } from '@mantine/core';
import { IconMapOff } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import { EmptyState } from '../components/empty-state';

export function NotFoundPage() {
  return (
    <EmptyState
      icon={<IconMapOff size={26} />}
      title="This page does not exist"
      description="The address may be mistyped, or the object it pointed to was deleted."
      action={
        <Button component={Link} to="/devices" variant="light">
          Go to devices
        </Button>
      }
    />
  );
}
