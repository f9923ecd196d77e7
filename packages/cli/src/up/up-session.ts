import { ApiError, bearerTokenOf, type ApiClient } from '@steward/protocol';
import { tokenState } from '../commands/tokens.js';
import { createClient } from '../connection.js';
import type { Ctx } from '../context.js';
import { CliError, errorMessage } from '../errors.js';
import { readSession, writeSession } from '../session.js';
import type { BannerInput, PasswordSource } from './banner.js';
import type { RunningServer } from './site-server.js';
import type { UpState } from './up-state.js';

const TOKEN_HOURS = 168;
const TOKEN_USES = 100;
const DAY_MS = 86_400_000;

export interface UpSignIn {
  client: ApiClient | undefined;
  password: PasswordSource;
  cliSignedIn: boolean;
}

interface SessionInfo {
  token: string;
  expiresAt: string;
  userName: string;
  role: string;
}

/**
 * Signs in as admin with the generated password or STEWARD_ADMIN_PASSWORD; on later starts
 * (the password was shown once and is not known now) with the session kept in `<data>/up.json`.
 * The session is shared with the steward CLI unless that is signed in to another site.
 */
export async function signInForUp(
  ctx: Ctx,
  server: RunningServer,
  state: UpState,
  envPassword: string | undefined,
): Promise<UpSignIn> {
  const { io, out } = ctx;
  const client = createClient(io, server.adminUrl);
  let password: PasswordSource =
    server.generatedAdminPassword !== undefined
      ? { kind: 'generated', password: server.generatedAdminPassword }
      : envPassword !== undefined
        ? { kind: 'env' }
        : { kind: 'unknown' };
  const secret = server.generatedAdminPassword ?? envPassword;
  let session: SessionInfo | undefined;
  if (secret !== undefined) {
    try {
      const res = await client.login('admin', secret);
      session = {
        token: bearerTokenOf(res),
        expiresAt: res.expiresAt,
        userName: res.user.name,
        role: res.user.role,
      };
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const what =
        password.kind === 'env'
          ? 'STEWARD_ADMIN_PASSWORD (it only sets the first password)'
          : 'the generated password';
      out.warn(`cannot sign in as admin with ${what}: ${err.message}`);
      if (password.kind === 'env') password = { kind: 'unknown' };
    }
  }
  if (session === undefined && state.sessionToken !== undefined)
    session = await reuseSession(client, state);
  if (session === undefined) {
    out.warn(
      'not signed in (the admin password was shown at first start): set STEWARD_ADMIN_PASSWORD, or run "steward login"',
    );
    delete state.sessionToken;
    return { client: undefined, password, cliSignedIn: false };
  }
  client.setToken(session.token);
  const previousUrl = state.adminUrl;
  state.adminUrl = server.adminUrl;
  state.sessionToken = session.token;
  state.sessionExpiresAt = session.expiresAt;
  const cliSignedIn = await shareWithCli(ctx, server.adminUrl, session, previousUrl);
  return { client, password, cliSignedIn };
}

/** Writes the CLI session too, unless the CLI is signed in to some other site. */
async function shareWithCli(
  ctx: Ctx,
  adminUrl: string,
  session: SessionInfo,
  previousUrl: string | undefined,
): Promise<boolean> {
  const { io, out } = ctx;
  try {
    const existing = await readSession(io.env).catch(() => undefined);
    if (existing !== undefined && existing.server !== adminUrl && existing.server !== previousUrl)
      return false;
    await writeSession(io.env, { server: adminUrl, ...session, createdAt: io.now().toISOString() });
    return true;
  } catch (err) {
    out.warn(`could not share the session with the steward CLI: ${errorMessage(err)}`);
    return false;
  }
}

async function reuseSession(client: ApiClient, state: UpState): Promise<SessionInfo | undefined> {
  const token = state.sessionToken;
  if (token === undefined) return undefined;
  client.setToken(token);
  try {
    const me = await client.me();
    return { token, expiresAt: state.sessionExpiresAt ?? '', userName: me.name, role: me.role };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    client.setToken(undefined);
    return undefined;
  }
}

/**
 * Reuses the token from the last start while it points at the same agent URL, is active and
 * has a day left; otherwise creates one (a week, 100 machines).
 */
export async function ensureEnrolmentToken(
  ctx: Ctx,
  client: ApiClient,
  state: UpState,
  agentUrl: string,
): Promise<NonNullable<BannerInput['enrolment']>> {
  const now = ctx.io.now();
  const { enrolmentTokenId, enrolmentToken } = state;
  if (
    enrolmentTokenId !== undefined &&
    enrolmentToken !== undefined &&
    state.enrolmentAgentUrl === agentUrl
  ) {
    const known = (await client.listTokens()).find((t) => t.id === enrolmentTokenId);
    if (
      known !== undefined &&
      tokenState(known, now) === 'active' &&
      Date.parse(known.expiresAt) - now.getTime() > DAY_MS
    ) {
      return { token: enrolmentToken, expiresAt: known.expiresAt, maxUses: known.maxUses };
    }
  }
  const created = await client.createToken({
    description: 'steward up: this machine and others',
    expiresInHours: TOKEN_HOURS,
    maxUses: TOKEN_USES,
  });
  if (created.token === undefined) {
    throw new CliError(
      'SERVER_CONTRACT',
      'the site created an enrolment token but returned no secret',
    );
  }
  state.enrolmentTokenId = created.id;
  state.enrolmentToken = created.token;
  state.enrolmentAgentUrl = agentUrl;
  return { token: created.token, expiresAt: created.expiresAt, maxUses: created.maxUses };
}
