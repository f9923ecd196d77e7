// CPU of the PostgreSQL backends serving the site server: the server process's sockets to port
// 5432 are matched (by inode, /proc/net/tcp) to pg_stat_activity.client_port. Backends are
// separate processes, so without this a PostgreSQL run would show the database's CPU as
// "other processes". Backends that exit between refreshes lose their last seconds: approximate.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { cpuSeconds } from './proc-sampler.mjs';

function socketInodes(pid) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** Local ports of `pid`'s TCP connections to remote port `remotePort`. */
function localPortsTo(pid, remotePort) {
  const inodes = socketInodes(pid);
  const ports = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const local = parseInt(f[1].split(':')[1], 16);
      const remote = parseInt(f[2].split(':')[1], 16);
      if (remote === remotePort && inodes.has(f[9])) ports.push(local);
    }
  }
  return ports;
}

export class PgBackendTracker {
  constructor(pgClient, serverPid, port = 5432) {
    this.pg = pgClient;
    this.serverPid = serverPid;
    this.port = port;
    this.backends = new Map(); // pid -> { first, last }
    this.timer = undefined;
  }

  async refresh() {
    const ports = localPortsTo(this.serverPid, this.port);
    if (ports.length === 0) return;
    const r = await this.pg.query(
      'select pid from pg_stat_activity where client_port = any($1::int[])',
      [ports],
    );
    for (const { pid } of r.rows) {
      if (!this.backends.has(pid)) {
        try {
          const c = cpuSeconds(pid);
          this.backends.set(pid, { first: c, last: c });
        } catch {
          // gone already
        }
      }
    }
  }

  start(intervalMs = 2000) {
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), intervalMs);
    this.timer.unref();
    return this.refresh();
  }

  stop() {
    clearInterval(this.timer);
  }

  /** CPU seconds used by the server's backends since each was first seen. */
  cpuSeconds() {
    let total = 0;
    for (const [pid, b] of this.backends) {
      try {
        b.last = cpuSeconds(pid);
      } catch {
        // exited: keep its last reading
      }
      total += b.last - b.first;
    }
    return total;
  }
}
