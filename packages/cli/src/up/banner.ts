import type { Style } from '../output/style.js';

export type PasswordSource =
  { kind: 'generated'; password: string } | { kind: 'env' } | { kind: 'unknown' };

export interface BannerInput {
  adminUrl: string;
  agentUrl: string;
  password: PasswordSource;
  device?: { name: string; state: string } | undefined;
  enrolment?: { token: string; expiresAt: string; maxUses: number } | undefined;
  cliSignedIn: boolean;
}

export function passwordLine(p: PasswordSource, style: Style): string {
  switch (p.kind) {
    case 'generated':
      return `${style.bold(p.password)}  ${style.yellow('(generated; shown only this once: keep it)')}`;
    case 'env':
      return 'as set in STEWARD_ADMIN_PASSWORD';
    case 'unknown':
      return '(set at first start)';
  }
}

/** The block `steward up` prints once everything runs. */
export function renderBanner(b: BannerInput, style: Style): string {
  const rule = style.dim('─'.repeat(72));
  const label = (s: string): string => style.bold(s.padEnd(14));
  const lines = [
    rule,
    ` ${style.green('Steward is running')}`,
    '',
    `   ${label('Console')}${style.cyan(b.adminUrl)}`,
    `   ${label('User')}admin`,
    `   ${label('Password')}${passwordLine(b.password, style)}`,
    `   ${label('Agents')}${b.agentUrl}`,
  ];
  if (b.device) lines.push(`   ${label('This machine')}${b.device.name} (${b.device.state})`);
  lines.push('');
  if (b.enrolment) {
    lines.push(
      ` Enrol other machines (token valid until ${b.enrolment.expiresAt}, up to ${b.enrolment.maxUses} machines):`,
      `   steward-agent enroll --token ${b.enrolment.token}`,
      '   steward-agent run',
    );
  } else {
    lines.push(' Enrol other machines: sign in (steward login) and run "steward token create".');
  }
  lines.push('');
  if (b.cliSignedIn)
    lines.push(' The steward CLI is signed in to this site: try "steward device list".');
  lines.push(' Press Ctrl-C to stop.', rule);
  return `${lines.join('\n')}\n`;
}
