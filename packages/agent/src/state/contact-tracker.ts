import { AgentError, DeviceRejectedError, errorMessage, UnreachableError } from '../errors.js';
import type { Logger } from '../logger.js';
import { writeAgentState, type AgentStateFile } from './agent-state.js';

/**
 * Remembers the agent's contact with the site: the last success and the last error (shown by
 * `steward-agent status`), and how long the site has been unreachable (status SITE_UNREACHABLE).
 */
export class ContactTracker {
  private unreachableSince: number | undefined;

  constructor(
    private readonly stateDir: string,
    private readonly log: Logger,
    private readonly state: AgentStateFile,
  ) {}

  /** A request succeeded. Returns the length in seconds of the outage it ended, if any. */
  async succeeded(): Promise<number | undefined> {
    const now = Date.now();
    let outage: number | undefined;
    if (this.unreachableSince !== undefined) {
      outage = Math.max(1, Math.round((now - this.unreachableSince) / 1000));
      this.unreachableSince = undefined;
      this.log.info(`site reachable again after ${outage} s`);
    }
    this.state.lastContactAt = new Date(now).toISOString();
    if (this.state.lastError !== undefined) {
      // Recovered: `status` must not keep showing the error as if it were current.
      this.state.pastError = this.state.lastError;
      if (this.state.lastErrorAt !== undefined) this.state.pastErrorAt = this.state.lastErrorAt;
      this.state.recoveredAt = this.state.lastContactAt;
      delete this.state.lastError;
      delete this.state.lastErrorAt;
    }
    await this.save();
    return outage;
  }

  policyFetched(): void {
    this.state.lastPolicyFetchAt = new Date().toISOString();
  }

  /** Transport trouble: logged and remembered. A device rejection is rethrown, never absorbed. */
  failed(what: string, err: unknown): void {
    if (err instanceof DeviceRejectedError) throw err;
    if (err instanceof UnreachableError) this.unreachableSince ??= Date.now();
    const text = `${err instanceof AgentError ? `${err.code}: ` : ''}${errorMessage(err)}`;
    this.log.warn(`${what} failed: ${text}`);
    this.state.lastErrorAt = new Date().toISOString();
    this.state.lastError = `${what}: ${text}`;
    void this.save();
  }

  private async save(): Promise<void> {
    // Informational only: a full disk must not stop the agent over it.
    await writeAgentState(this.stateDir, this.state).catch(() => undefined);
  }
}
