import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { PxeActivityLog } from './activity.js';
import { PXE_PASSWORD_MAX } from '@steward/protocol';
import { verifyPassword } from '../users/password.js';
import { normaliseMac, type PxeBootDecision, type PxeDecider } from './boot-decision.js';
import {
  DEPLOYMENT_PASSWORD,
  DP_PASSWORD,
  ipxePasswordScript,
  ipxeScript,
  PASSWORD_PARAM,
  type PasswordAsk,
} from './ipxe-script.js';

/**
 * The DP's PXE HTTP listener: the per-machine iPXE script and the boot image files it names.
 * Plain HTTP: Debian's iPXE trusts only iPXE's own CA, not the site CA, so it cannot check the
 * DP's site-issued certificate (ADR 0067). It serves nothing but these read-only paths.
 */

export interface BootImageFiles {
  kernel: string;
  initrd: string;
  cmdline: string;
}

/** Where a boot image's files are on this DP (osd-boot's boot images are content the DP holds). */
export interface BootImageSource {
  files(name: string): BootImageFiles | undefined;
}

export interface PxeHttpOptions {
  listenAddress: string;
  port: number;
  /** How clients reach this listener (http://address:port). */
  baseUrl(): string;
  decider: PxeDecider;
  images: BootImageSource;
  activity: PxeActivityLog;
  /** The DP-wide PXE password's scrypt hash: asked before any boot (null: none). */
  passwordHash?: string | null | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const IMAGE_PATH = /^\/pxe\/v1\/images\/([A-Za-z0-9._-]{1,128})\/(kernel|initrd)$/;

function answer(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
}

function passwordMatches(typed: string, hash: string): Promise<boolean> {
  return typed.length <= PXE_PASSWORD_MAX ? verifyPassword(typed, hash) : Promise.resolve(false);
}

export function scriptPath(mac: string, uuid: string | undefined): string {
  const q = new URLSearchParams({ mac, ...(uuid ? { uuid } : {}) });
  return `/pxe/v1/script?${q.toString()}`;
}

export class PxeHttpServer {
  private server: Server | undefined;

  constructor(private readonly opts: PxeHttpOptions) {}

  async start(): Promise<number> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) answer(res, 500, 'error\n');
        else res.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.listenAddress, () => resolve());
    });
    this.server = server;
    const bound = server.address();
    return typeof bound === 'object' && bound ? bound.port : this.opts.port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://dp');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      answer(res, 405, 'read-only\n');
      return;
    }
    if (url.pathname === '/pxe/v1/script') return this.script(url, res);
    const m = IMAGE_PATH.exec(url.pathname);
    if (m?.[1] && (m[2] === 'kernel' || m[2] === 'initrd')) return this.file(m[1], m[2], req, res);
    answer(res, 404, 'not found\n');
  }

  private async script(url: URL, res: ServerResponse): Promise<void> {
    const mac = normaliseMac(url.searchParams.get('mac') ?? '');
    const uuidText = url.searchParams.get('uuid')?.toLowerCase();
    if (!mac || (uuidText !== undefined && !UUID.test(uuidText))) {
      this.opts.activity.record({
        stage: 'script',
        client: url.searchParams.get('mac') ?? '?',
        answered: false,
        detail: 'bad mac or uuid',
      });
      answer(res, 400, 'mac (and optional uuid) expected\n');
      return;
    }
    const address = res.req.socket.remoteAddress?.replace(/^::ffff:/, '');
    const client = { mac, uuid: uuidText, address };
    const decision = await this.guarded(await this.opts.decider.decide(client), url.searchParams);
    if (decision.action === 'ask-password') {
      this.opts.activity.record({
        stage: 'script',
        client: mac,
        uuid: uuidText,
        address,
        answered: true,
        detail: `asks the ${decision.ask.label}: ${decision.reason}`,
      });
      this.send(
        res,
        ipxePasswordScript(
          client,
          decision.reason,
          `${this.opts.baseUrl()}${scriptPath(mac, uuidText)}`,
          decision.ask,
        ),
      );
      return;
    }
    const files = decision.action === 'boot' ? this.opts.images.files(decision.image) : undefined;
    const base = this.opts.baseUrl();
    const image =
      decision.action === 'boot' && files
        ? {
            kernel: `${base}/pxe/v1/images/${decision.image}/kernel`,
            initrd: `${base}/pxe/v1/images/${decision.image}/initrd`,
            cmdline: files.cmdline,
          }
        : undefined;
    const detail =
      decision.action === 'boot'
        ? files
          ? `boot ${decision.image} (${decision.required ? 'required' : 'available'}): ${decision.reason}`
          : `exit: boot image ${decision.image} is not on this DP`
        : `exit: ${decision.reason}`;
    this.opts.activity.record({
      stage: 'script',
      client: mac,
      uuid: uuidText,
      address,
      answered: true,
      detail,
    });
    this.send(res, ipxeScript(client, decision, image));
  }

  private send(res: ServerResponse, script: string): void {
    res.writeHead(200, {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
    });
    res.end(script);
  }

  /**
   * The PXE passwords, before a boot is answered. The DP-wide one (site settings) comes first for
   * every boot; then an available deployment's: without a password the machine is asked for one;
   * with the right one it boots at once (the F12 press came before the password); with a wrong
   * one it goes to the next boot device.
   */
  private async guarded(
    decision: PxeBootDecision,
    query: URLSearchParams,
  ): Promise<PxeBootDecision | { action: 'ask-password'; reason: string; ask: PasswordAsk }> {
    if (decision.action !== 'boot') return decision;
    let keyPressed = false;
    const carry: PasswordAsk['variable'][] = [];
    const dpHash = this.opts.passwordHash;
    if (dpHash) {
      const typed = query.get(PASSWORD_PARAM[DP_PASSWORD.variable]);
      if (typed === null)
        return {
          action: 'ask-password',
          reason: decision.reason,
          ask: { ...DP_PASSWORD, pressKey: !decision.required },
        };
      if (!(await passwordMatches(typed, dpHash)))
        return { action: 'exit', reason: 'wrong PXE password' };
      keyPressed = !decision.required;
      carry.push(DP_PASSWORD.variable);
    }
    if (decision.required) return decision;
    if (decision.passwordHash) {
      const typed = query.get(PASSWORD_PARAM[DEPLOYMENT_PASSWORD.variable]);
      if (typed === null)
        return {
          action: 'ask-password',
          reason: decision.reason,
          ask: { ...DEPLOYMENT_PASSWORD, pressKey: !keyPressed, carry },
        };
      if (!(await passwordMatches(typed, decision.passwordHash)))
        return { action: 'exit', reason: 'wrong PXE password' };
      keyPressed = true;
    }
    // F12 was pressed at a password prompt: the machine boots without asking again.
    return keyPressed ? { ...decision, required: true } : decision;
  }

  private async file(
    name: string,
    which: 'kernel' | 'initrd',
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const files = this.opts.images.files(name);
    const client = (req.socket.remoteAddress ?? '?').replace(/^::ffff:/, '');
    if (!files) {
      this.opts.activity.record({
        stage: 'boot-file',
        client,
        address: client,
        answered: false,
        detail: `${name}: no such boot image`,
      });
      answer(res, 404, 'no such boot image\n');
      return;
    }
    const path = files[which];
    const size = await stat(path).then(
      (st) => st.size,
      () => undefined,
    );
    if (size === undefined) {
      this.opts.activity.record({
        stage: 'boot-file',
        client,
        address: client,
        answered: false,
        detail: `${name}/${which}: the file is missing on this DP`,
      });
      answer(res, 404, 'boot image file missing\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
    this.opts.activity.record({
      stage: 'boot-file',
      client,
      address: client,
      answered: true,
      detail: `${name}/${which}`,
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(path).pipe(res);
  }
}
