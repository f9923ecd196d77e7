import { randomBytes } from 'node:crypto';

/**
 * Text from the site (device names, agent versions, host names of refused enrolments, status
 * message strings, error messages) is printed on an administrator's terminal. Raw, an escape
 * sequence in it can clear the screen, set the window title, rewrite earlier lines or, on some
 * terminals, write to the clipboard; a bidi override can make text read differently than it is.
 * So every human-readable line the CLI prints goes through {@link toTerminal}.
 *
 * The CLI's own colours must survive that, and must not be forgeable by site text: styles write
 * {@link ESC}, a marker made of a private-use character and random digits chosen when the process
 * starts, which {@link toTerminal} turns into a real ESC after it has neutralised every real one.
 */
export const ESC = `\uF8FF${randomBytes(6).toString('hex')}`;

// C0 controls but tab and newline, DEL, C1 controls, and the bidi embeddings/overrides/isolates.
const UNSAFE_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** The visible stand-in of an unsafe character: a control picture (␛ for ESC) or U+FFFD. */
function picture(c: string): string {
  const code = c.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return '\uFFFD';
}

/** `text` with control characters shown as pictures and the CLI's own style markers made real. */
export function toTerminal(text: string): string {
  return text.replace(UNSAFE_CONTROL, picture).replaceAll(ESC, '\u001b');
}

// Characters JSON.stringify leaves raw but a terminal may act on (C1, DEL) or that reorder text.
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON of `value`, identical as JSON (same value when parsed) to JSON.stringify's, with the
 * characters a terminal may act on written as `\uXXXX` escapes: JSON.stringify already escapes
 * C0 controls (ESC included) but not DEL, C1 controls or bidi overrides.
 */
export function terminalJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(
    JSON_UNSAFE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The characters of `s` as a reader sees them (grapheme clusters): an accent with its letter, an
 * emoji with its modifiers. Widths, truncation and backspace count these, so none of them splits
 * a character in two.
 */
export function graphemes(s: string): string[] {
  return Array.from(GRAPHEMES.segment(s), (g) => g.segment);
}
