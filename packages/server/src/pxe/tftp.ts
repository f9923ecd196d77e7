import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { PxeActivityLog } from './activity.js';

/**
 * A read-only TFTP server (RFC 1350) with the option extension (RFC 2347): blksize (2348),
 * tsize and timeout (2349). It serves the PXE first stage only: files under one root, no
 * writes, no path outside the root (".." and symlinks out are refused).
 */

const Op = { rrq: 1, wrq: 2, data: 3, ack: 4, error: 5, oack: 6 } as const;
const TftpError = { notFound: 1, accessViolation: 2, illegal: 4, unknownTid: 5, badOption: 8 };
const DEFAULT_BLKSIZE = 512;
/** RFC 2348's range; the reply is capped lower so a block fits an Ethernet frame unfragmented. */
const MIN_BLKSIZE = 8;
const MAX_BLKSIZE = 65464;
const FRAME_BLKSIZE = 1468;
const RETRIES = 5;

export interface ReadRequest {
  file: string;
  mode: string;
  options: Map<string, string>;
}

/** Parses a read request (opcode 1); anything else or a malformed one is an error text. */
export function parseReadRequest(msg: Buffer): ReadRequest | string {
  if (msg.length < 4) return 'too short';
  const op = msg.readUInt16BE(0);
  if (op === Op.wrq) return 'write requests are refused';
  if (op !== Op.rrq) return `opcode ${op} is not a read request`;
  if (msg[msg.length - 1] !== 0) return 'fields are not NUL-terminated';
  const fields = msg
    .subarray(2, msg.length - 1)
    .toString('latin1')
    .split('\0');
  const [file, mode, ...rest] = fields;
  if (!file || !mode) return 'no file name or mode';
  if (!['octet', 'netascii'].includes(mode.toLowerCase())) return `mode ${mode} is not supported`;
  if (rest.length % 2 !== 0) return 'an option has no value';
  const options = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 2)
    options.set((rest[i] ?? '').toLowerCase(), rest[i + 1] ?? '');
  return { file, mode: mode.toLowerCase(), options };
}

/**
 * The file a request names, inside root, or undefined: NUL, backslashes, ".." segments and
 * absolute paths outside the root are refused before the file system is asked.
 */
export function confinedPath(root: string, requested: string): string | undefined {
  const name = requested.replace(/^\/+/, '');
  if (!name || name.includes('\0') || name.includes('\\')) return undefined;
  if (name.split('/').some((part) => part === '..' || part === '')) return undefined;
  const full = join(root, name);
  const rel = relative(root, full);
  return rel && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel) ? full : undefined;
}

function errorPacket(code: number, message: string): Buffer {
  const msg = Buffer.from(`${message}\0`, 'latin1');
  const head = Buffer.alloc(4);
  head.writeUInt16BE(Op.error, 0);
  head.writeUInt16BE(code, 2);
  return Buffer.concat([head, msg]);
}

/** A decimal option value (RFC 2347 values are ASCII digits; "1e3" or " 8" are not numbers here). */
function decimal(value: string | undefined): number {
  return value !== undefined && /^[0-9]{1,6}$/.test(value) ? Number(value) : NaN;
}

/** The options the server accepts and answers in its OACK (unknown ones are left out). */
export function negotiate(
  requested: Map<string, string>,
  size: number,
): { blksize: number; timeoutS: number; oack: Map<string, string> } {
  const oack = new Map<string, string>();
  let blksize = DEFAULT_BLKSIZE;
  let timeoutS = 1;
  const b = decimal(requested.get('blksize'));
  if (requested.has('blksize') && Number.isInteger(b) && b >= MIN_BLKSIZE && b <= MAX_BLKSIZE) {
    blksize = Math.min(b, FRAME_BLKSIZE);
    oack.set('blksize', String(blksize));
  }
  if (requested.get('tsize') === '0') oack.set('tsize', String(size));
  const t = decimal(requested.get('timeout'));
  if (requested.has('timeout') && Number.isInteger(t) && t >= 1 && t <= 255) {
    timeoutS = t;
    oack.set('timeout', String(t));
  }
  return { blksize, timeoutS, oack };
}

export interface TftpServerOptions {
  root: string;
  listenAddress?: string | undefined;
  port?: number | undefined;
  activity: PxeActivityLog;
}

export class TftpServer {
  private socket: Socket | undefined;
  private readonly transfers = new Set<Socket>();

  constructor(private readonly opts: TftpServerOptions) {}

  async start(): Promise<number> {
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    socket.on('message', (msg, rinfo) => void this.onRequest(msg, rinfo));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.opts.port ?? 69, this.opts.listenAddress ?? '0.0.0.0', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.socket = socket;
    return socket.address().port;
  }

  async stop(): Promise<void> {
    const all = [...this.transfers, ...(this.socket ? [this.socket] : [])];
    this.transfers.clear();
    this.socket = undefined;
    await Promise.all(all.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }

  private async onRequest(msg: Buffer, rinfo: RemoteInfo): Promise<void> {
    const client = `${rinfo.address}:${rinfo.port}`;
    const req = parseReadRequest(msg);
    // Each transfer has its own socket (its TID, RFC 1350 section 4).
    const tid = createSocket('udp4');
    tid.on('error', () => undefined);
    this.transfers.add(tid);
    const end = () => {
      this.transfers.delete(tid);
      tid.close();
    };
    await new Promise<void>((r) => tid.bind(0, this.opts.listenAddress ?? '0.0.0.0', r));
    const refuse = (code: number, why: string) => {
      this.opts.activity.record({
        stage: 'tftp',
        client,
        address: rinfo.address,
        answered: false,
        detail: why,
      });
      tid.send(errorPacket(code, why), rinfo.port, rinfo.address, end);
    };
    if (typeof req === 'string') {
      if (msg.length < 2 || msg.readUInt16BE(0) !== Op.wrq) this.opts.activity.malformed();
      refuse(req.startsWith('write') ? TftpError.accessViolation : TftpError.illegal, req);
      return;
    }
    const path = confinedPath(this.opts.root, req.file);
    if (!path) {
      refuse(TftpError.accessViolation, `${req.file}: outside the TFTP root`);
      return;
    }
    let handle: FileHandle;
    try {
      // A symlink inside the root must not lead out of it.
      const [root, real] = await Promise.all([realpath(this.opts.root), realpath(path)]);
      if (!real.startsWith(`${root}${sep}`)) {
        refuse(TftpError.accessViolation, `${req.file}: outside the TFTP root`);
        return;
      }
      handle = await open(real, 'r');
    } catch {
      refuse(TftpError.notFound, `${req.file}: not found`);
      return;
    }
    try {
      const size = (await handle.stat()).size;
      const { blksize, timeoutS, oack } = negotiate(req.options, size);
      await sendFile(tid, rinfo, handle, blksize, timeoutS * 1000, oack);
      this.opts.activity.record({
        stage: 'tftp',
        client,
        address: rinfo.address,
        answered: true,
        detail: req.file,
      });
    } catch (err) {
      this.opts.activity.record({
        stage: 'tftp',
        client,
        address: rinfo.address,
        answered: false,
        // UEFI's PXE client asks for the size (tsize) and ends that first transfer on purpose.
        detail: `${req.file}: ${err instanceof Error ? err.message : String(err)}`,
      });
    } finally {
      await handle.close();
      end();
    }
  }
}

function oackPacket(oack: Map<string, string>): Buffer {
  const head = Buffer.alloc(2);
  head.writeUInt16BE(Op.oack, 0);
  const body = [...oack].map(([k, v]) => `${k}\0${v}\0`).join('');
  return Buffer.concat([head, Buffer.from(body, 'latin1')]);
}

/**
 * Lock-step send: each packet (OACK as block 0, then DATA blocks) is sent until the client acks
 * it, resent after the timeout up to RETRIES times. Block numbers roll over past 65535.
 */
async function sendFile(
  tid: Socket,
  client: RemoteInfo,
  handle: FileHandle,
  blksize: number,
  timeoutMs: number,
  oack: Map<string, string>,
): Promise<void> {
  let expected = -1;
  let acked: (() => void) | undefined;
  // The client gave up (an error packet): stop at once rather than resend to no one.
  let aborted: (() => void) | undefined;
  tid.on('message', (msg, from) => {
    if (from.address !== client.address || from.port !== client.port) {
      tid.send(errorPacket(TftpError.unknownTid, 'unknown transfer'), from.port, from.address);
      return;
    }
    if (msg.length >= 4 && msg.readUInt16BE(0) === Op.ack && msg.readUInt16BE(2) === expected)
      acked?.();
    if (msg.length >= 2 && msg.readUInt16BE(0) === Op.error) aborted?.();
  });
  const exchange = async (packet: Buffer, block: number): Promise<void> => {
    expected = block & 0xffff;
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      const got = await new Promise<boolean>((resolve, reject) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        acked = () => {
          clearTimeout(timer);
          resolve(true);
        };
        aborted = () => {
          clearTimeout(timer);
          reject(new Error('the client aborted the transfer'));
        };
        tid.send(packet, client.port, client.address);
      });
      if (got) return;
    }
    throw new Error(`no acknowledgement of block ${block}`);
  };
  if (oack.size > 0) await exchange(oackPacket(oack), 0);
  const buf = Buffer.alloc(blksize);
  for (let block = 1, position = 0; ; block++) {
    const { bytesRead } = await handle.read(buf, 0, blksize, position);
    position += bytesRead;
    const head = Buffer.alloc(4);
    head.writeUInt16BE(Op.data, 0);
    head.writeUInt16BE(block & 0xffff, 2);
    await exchange(Buffer.concat([head, buf.subarray(0, bytesRead)]), block);
    if (bytesRead < blksize) return;
  }
}
