import type { CliIo } from '../io.js';
import { colorEnabled, createStyle, type Style } from './style.js';
import { renderFields, renderTable, type Column } from './table.js';
import { terminalJson, toTerminal } from './terminal-text.js';

/**
 * Everything a command prints goes through here: results to stdout (JSON or human), notes and
 * progress to stderr, so `--json` output is always exactly one JSON document. Human output passes
 * through `toTerminal` (no control character from the site reaches the terminal); JSON output is
 * exact JSON with those characters escaped.
 */
export class Printer {
  readonly style: Style;
  readonly errStyle: Style;

  constructor(private readonly io: CliIo) {
    this.style = createStyle(colorEnabled(io.stdout, io.env));
    this.errStyle = createStyle(colorEnabled(io.stderr, io.env));
  }

  get now(): Date {
    return this.io.now();
  }

  line(text = ''): void {
    this.io.stdout.write(toTerminal(`${text}\n`));
  }

  /** Raw text on stdout. */
  write(text: string): void {
    this.io.stdout.write(toTerminal(text));
  }

  json(value: unknown): void {
    this.io.stdout.write(`${terminalJson(value, 2)}\n`);
  }

  /** One compact JSON document per line (for streams such as `status list --follow --json`). */
  jsonLine(value: unknown): void {
    this.io.stdout.write(`${terminalJson(value)}\n`);
  }

  table(
    columns: readonly Column[],
    rows: readonly (readonly string[])[],
    empty = 'Nothing to show.',
  ): void {
    if (rows.length === 0) {
      this.note(empty);
      return;
    }
    const width = this.io.stdout.isTTY === true ? this.io.stdout.columns : undefined;
    this.io.stdout.write(toTerminal(renderTable(columns, rows, { style: this.style, width })));
  }

  fields(fields: readonly (readonly [string, string])[], indent = ''): void {
    this.io.stdout.write(toTerminal(renderFields(fields, this.style, indent)));
  }

  heading(text: string): void {
    this.line(this.style.bold(text));
  }

  /** Human remarks (empty listings, hints): stderr, so piping a table stays clean. */
  note(text: string): void {
    this.io.stderr.write(toTerminal(`${text}\n`));
  }

  warn(text: string): void {
    this.io.stderr.write(toTerminal(`${this.errStyle.yellow('warning')}: ${text}\n`));
  }
}
