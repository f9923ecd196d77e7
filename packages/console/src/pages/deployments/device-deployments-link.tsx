import { Anchor } from '@mantine/core';
import { Link } from 'react-router-dom';

/** A device's host name, linking to its Deployments tab (where a deployment's rows lead). */
export function DeviceDeploymentsLink(props: { deviceId: string; hostname: string }) {
  return (
    <Anchor
      component={Link}
      to={`/devices/${encodeURIComponent(props.deviceId)}?tab=deployments`}
      size="sm"
      fw={600}
    >
      {props.hostname}
    </Anchor>
  );
}
