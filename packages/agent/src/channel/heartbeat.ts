import { agentOps, type HeartbeatBody } from '@steward/protocol';
import type { HttpsClient } from './https-client.js';

/** POST heartbeat -> 204: tells the site the agent is alive and which policy it runs. */
export function sendHeartbeat(client: HttpsClient, body: HeartbeatBody): Promise<void> {
  return client.call(agentOps.device.heartbeat, { body });
}
