import { request } from 'node:https';
import { readFile } from 'node:fs/promises';
import { Value } from '@sinclair/typebox/value';
import {
  agentOps,
  BootConfig,
  checkAnswer,
  requestOf,
  StatusMessages,
  type CallArgs,
  type Operation,
  type ResultOf,
} from '@steward/protocol';
import { AgentError, errorMessage } from '../errors.js';
import type { CliIo } from '../commands/cli-io.js';
import { identifyMachine } from './identify.js';

/**
 * `steward-agent boot-env`: the boot stage of the agent, run by a boot image's /init (ADR 0065).
 * Identifies the machine, registers with the site the image was built for (HTTPS, trusting only
 * the site CA pinned in the image), asks for a task sequence and reports status messages. Until
 * task sequences land (osd-ts) the site answers "none" and the boot environment ends (exit 0;
 * /init then powers off).
 */
export interface BootEnvOptions {
  config: string;
  /** Overrides the image's site URL (`steward.site=` on the kernel command line). */
  siteUrl?: string | undefined;
  sys?: string;
  json: boolean;
}

function call<O extends Operation>(
  config: BootConfig,
  op: O,
  args: CallArgs<O>,
): Promise<ResultOf<O>> {
  const line = requestOf(op, args);
  const body = line.body === undefined ? undefined : JSON.stringify(line.body);
  const url = new URL(line.path, config.siteUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: line.method,
        ca: config.caPem,
        timeout: 60_000,
        headers: body ? { 'content-type': 'application/json' } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 400) {
            reject(
              new AgentError(
                'SITE_REFUSED',
                `${line.path}: ${String(status)} ${text.slice(0, 500)}`,
              ),
            );
            return;
          }
          const checked = checkAnswer(op, text ? JSON.parse(text) : undefined);
          if (checked.ok) resolve(checked.value);
          else reject(new AgentError('SITE_ANSWER', `${line.path}: ${checked.error}`));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Retries while the network comes up (DHCP, ARP, a slow link); a refusal is final. */
async function withRetry<T>(what: string, io: CliIo, work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (err instanceof AgentError || attempt >= 10) throw err;
      io.err(`steward-boot: ${what} failed (${errorMessage(err)}), retrying\n`);
      await new Promise((r) => setTimeout(r, Math.min(30_000, 1000 * 2 ** attempt)));
    }
  }
}

export async function bootEnvCommand(opts: BootEnvOptions, io: CliIo): Promise<number> {
  const raw: unknown = JSON.parse(await readFile(opts.config, 'utf8'));
  if (!Value.Check(BootConfig, raw))
    throw new AgentError('USAGE', `${opts.config} is not a boot configuration`);
  const config: BootConfig = { ...raw, ...(opts.siteUrl ? { siteUrl: opts.siteUrl } : {}) };
  const id = await identifyMachine(opts.sys);
  io.out(
    `steward-boot: machine uuid=${id.smbiosUuid ?? '(none)'} macs=${id.macs.join(',')} firmware=${id.firmware} arch=${id.arch}\n`,
  );
  if (id.macs.length === 0) throw new AgentError('NO_NETWORK', 'no ethernet interface');
  const ops = agentOps.bootEnvironment;
  const reg = await withRetry('registration', io, () =>
    call(config, ops.register, { body: { bootKey: config.bootKey, ...id } }),
  );
  io.out(
    `steward-boot: registered kind=${reg.kind} id=${reg.computerId} name=${reg.name ?? ''} matchedBy=${reg.matchedBy ?? ''}\n`,
  );
  const status = (messageId: number, insertionStrings: string[]) =>
    call(config, ops.status, {
      body: { bootKey: config.bootKey, computerId: reg.computerId, messageId, insertionStrings },
    });
  const who = reg.name ?? id.smbiosUuid ?? id.macs[0] ?? reg.computerId;
  await status(StatusMessages.BOOT_ENV_STARTED.id, [
    `${config.name} ${String(config.version)}`,
    who,
    id.firmware,
    id.macs.join(' '),
  ]);
  const ts = await call(config, ops.taskSequence, {
    body: { bootKey: config.bootKey, kind: reg.kind, computerId: reg.computerId },
  });
  if (ts.taskSequence === null) {
    await status(StatusMessages.BOOT_ENV_NO_TASK_SEQUENCE.id, [who]);
    io.out('steward-boot: no task sequence\n');
  } else {
    await status(StatusMessages.BOOT_ENV_TASK_SEQUENCE_OFFERED.id, [ts.taskSequence.name, who]);
    io.out(`steward-boot: task sequence ${ts.taskSequence.id} offered (no engine in this image)\n`);
  }
  if (opts.json)
    io.out(
      `${JSON.stringify({ identity: id, registration: reg, taskSequence: ts.taskSequence })}\n`,
    );
  return 0;
}
