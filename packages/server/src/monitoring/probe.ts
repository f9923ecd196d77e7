import { Socket, isIP } from 'node:net';

/** How long one TCP connect may take before the address counts as not answering. */
const CONNECT_TIMEOUT_MS = 3_000;
/** A device reports all its addresses; the probe tries at most this many. */
const MAX_ADDRESSES = 4;

/** What the probe of one device found. */
export interface ProbeResult {
  /** The address that accepted a connection, if one did. */
  answered: string | undefined;
  /** One line per address tried: `127.0.0.9:22 refused`. */
  detail: string;
}

function connect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (outcome: string) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => done('timed out'));
    socket.once('connect', () => done('open'));
    socket.once('error', (err: NodeJS.ErrnoException) =>
      done(err.code === 'ECONNREFUSED' ? 'refused' : (err.code ?? err.message)),
    );
    socket.connect({ host, port });
  });
}

/**
 * The activity check's probe (ADR 0029): a TCP connect to the device's last reported addresses
 * on one port (SSH by default), one address after the other until one accepts. Addresses only,
 * never a name: no DNS lookup. A refused connection proves the machine is up too (its kernel
 * answered), so it counts as an answer; only silence (timeout, unreachable) is no answer.
 */
export async function probeDevice(
  addresses: readonly string[],
  port: number,
): Promise<ProbeResult> {
  const usable = addresses.filter((a) => isIP(a) !== 0).slice(0, MAX_ADDRESSES);
  if (usable.length === 0) return { answered: undefined, detail: 'no known address' };
  const lines: string[] = [];
  for (const address of usable) {
    const outcome = await connect(address, port);
    const shown = isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
    lines.push(`${shown} ${outcome}`);
    if (outcome === 'open' || outcome === 'refused')
      return { answered: address, detail: lines.join('; ') };
  }
  return { answered: undefined, detail: lines.join('; ') };
}
