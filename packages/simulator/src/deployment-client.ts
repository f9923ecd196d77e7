import { performance } from 'node:perf_hooks';
import { createHash, verify } from 'node:crypto';
import { Agent, request } from 'node:https';
import { Value } from '@sinclair/typebox/value';
import {
  AssignmentsDocument,
  StatusMessages,
  type StatusMessageName,
  agentOps,
  pathOf,
  type AgentDeployment,
  type AgentProgram,
  type DeploymentStateReport,
  type OutboxItem,
} from '@steward/protocol';
import { pinnedTls, type SiteConnection } from './site-connection.js';
import { LatencyRecorder, type LatencySummary } from './stats.js';
import type { VirtualAgent } from './virtual-agent.js';

export interface DeploymentRunResult {
  deploymentsRun: number;
  bytesDownloaded: number;
}

/**
 * What a real agent does for a required ASAP deployment, over the real protocol: fetch the signed
 * assignments, verify them, report "received", ask the management point where the content is,
 * download every file from the first DP and verify its SHA-256, then report "running" and
 * "succeeded" with the SMS status messages. The program itself is not executed: the simulator
 * measures the site and the DPs, not shell scripts.
 */
export class DeploymentClient {
  /** Revision each (device, deployment) last ran, so a nudge does not run a deployment twice. */
  private readonly done = new Map<string, number>();
  private readonly dpAgents = new Map<string, Agent>();
  /** Milliseconds per step, so a benchmark can say where a device's time goes. */
  private readonly steps = {
    assignments: new LatencyRecorder(),
    report: new LatencyRecorder(),
    locations: new LatencyRecorder(),
    download: new LatencyRecorder(),
  };

  constructor(private readonly site: SiteConnection) {}

  latency(): Record<keyof DeploymentClient['steps'], LatencySummary> {
    return {
      assignments: this.steps.assignments.summary(),
      report: this.steps.report.summary(),
      locations: this.steps.locations.summary(),
      download: this.steps.download.summary(),
    };
  }

  private async timed<T>(step: keyof DeploymentClient['steps'], fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.steps[step].record(performance.now() - t0);
    }
  }

  async evaluate(agent: VirtualAgent): Promise<DeploymentRunResult> {
    const doc = await this.timed('assignments', () => this.fetchAssignments(agent));
    let deploymentsRun = 0;
    let bytesDownloaded = 0;
    for (const d of doc.deployments) {
      const key = `${agent.index}:${d.id}`;
      if (d.purpose !== 'required' || (this.done.get(key) ?? 0) >= d.revision) continue;
      const program = doc.programs.find((p) => p.id === d.programId);
      if (!program || program.disabled) continue;
      this.done.set(key, d.revision);
      await this.report(agent, d, program, 'received', 'PROGRAM_RECEIVED');
      bytesDownloaded += await this.download(agent, program);
      await this.report(agent, d, program, 'running', 'PROGRAM_STARTED');
      await this.report(agent, d, program, 'succeeded', 'PROGRAM_SUCCEEDED', 0);
      deploymentsRun++;
    }
    return { deploymentsRun, bytesDownloaded };
  }

  private async fetchAssignments(agent: VirtualAgent): Promise<AssignmentsDocument> {
    const signed = await this.site.call(agentOps.device.assignments, {}, agent.authHeaders);
    const c = agent.credentials;
    const signature = Buffer.from(signed.signature, 'base64');
    if (!c || !verify(null, Buffer.from(signed.payload, 'utf8'), c.signingKey, signature))
      throw new Error('assignments: the signature does not match the site signing key');
    const doc: unknown = JSON.parse(signed.payload);
    if (!Value.Check(AssignmentsDocument, doc)) throw new Error('assignments: bad document');
    return doc;
  }

  private async download(agent: VirtualAgent, program: AgentProgram): Promise<number> {
    const locations = await this.timed('locations', () =>
      this.site.call(
        agentOps.distribution.contentLocations,
        { query: { packageVersionId: program.packageVersionId } },
        agent.authHeaders,
      ),
    );
    const dp = locations.locations[0];
    if (!dp) throw new Error(`no distribution point holds ${program.packageName}`);
    let bytes = 0;
    for (const file of program.files) {
      const sha = await this.timed('download', () =>
        this.fetchFile(dp.url, file.sha256, locations.accessToken),
      );
      if (sha !== file.sha256) throw new Error(`${file.path}: hash mismatch from ${dp.name}`);
      bytes += file.size;
    }
    return bytes;
  }

  private fetchFile(base: string, sha256: string, token: string): Promise<string> {
    let agent = this.dpAgents.get(base);
    if (!agent) {
      agent = new Agent({ keepAlive: true, maxSockets: 64, ...pinnedTls(this.site.caPem) });
      this.dpAgents.set(base, agent);
    }
    const url = new URL(pathOf(agentOps.content.file, { sha256 }), base);
    return new Promise((resolve, reject) => {
      const req = request(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`GET ${url.pathname} answered ${res.statusCode ?? 0}`));
          return;
        }
        const hash = createHash('sha256');
        res.on('data', (c: Buffer) => hash.update(c));
        res.on('end', () => resolve(hash.digest('hex')));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }

  private async report(
    agent: VirtualAgent,
    d: AgentDeployment,
    program: AgentProgram,
    state: DeploymentStateReport['state'],
    message: StatusMessageName,
    exitCode?: number,
  ): Promise<void> {
    const entry = StatusMessages[message];
    const at = new Date().toISOString();
    await agent.exclusive(async () => {
      const first = agent.nextSeq(2);
      const items: OutboxItem[] = [
        {
          seq: first,
          type: 'deployment:state',
          body: {
            deploymentId: d.id,
            revision: d.revision,
            state,
            at,
            runId: `sim-${d.id}-${d.revision}`,
            ...(exitCode === undefined ? {} : { exitCode, lastRunAt: at }),
          },
        },
        {
          seq: first + 1,
          type: 'status:message',
          body: {
            messageId: entry.id,
            severity: entry.severity,
            type: entry.type,
            component: entry.component,
            at,
            insertionStrings: [
              program.packageName,
              program.name,
              d.name,
              ...(exitCode === undefined ? [] : [String(exitCode)]),
            ],
            attributes: { deploymentId: d.id, packageId: program.packageId, programId: program.id },
          },
        },
      ];
      await this.timed('report', () => agent.sendBatch(JSON.stringify({ items }), first + 1));
    });
  }

  close(): void {
    for (const a of this.dpAgents.values()) a.destroy();
  }
}
