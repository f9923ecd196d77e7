import type { OutStream } from '../io.js';
import { ESC, graphemes } from './terminal-text.js';

export interface Style {
  readonly enabled: boolean;
  bold: (s: string) => string;
  dim: (s: string) => string;
  red: (s: string) => string;
  green: (s: string) => string;
  yellow: (s: string) => string;
  cyan: (s: string) => string;
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org) or TERM=dumb. */
export function colorEnabled(
  stream: OutStream,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (stream.isTTY !== true) return false;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  return env['TERM'] !== 'dumb';
}

// Written with the CLI's marker, not a raw ESC: see terminal-text.ts.
const sgr = (open: number, close: number) => (s: string) => `${ESC}[${open}m${s}${ESC}[${close}m`;

export function createStyle(enabled: boolean): Style {
  if (!enabled) {
    const id = (s: string): string => s;
    return { enabled, bold: id, dim: id, red: id, green: id, yellow: id, cyan: id };
  }
  return {
    enabled,
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
  };
}

const ANSI = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');

export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

/** Printed width: ANSI sequences take no room. */
export function visibleWidth(s: string): number {
  return graphemes(stripAnsi(s)).length;
}
