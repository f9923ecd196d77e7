/**
 * deb822 control data (deb822(5)): the format of apt's Release, Packages and Sources files.
 * A paragraph is a run of `Field: value` lines; a line starting with a space or tab continues the
 * previous field; blank lines separate paragraphs. Field names are case-insensitive: they are
 * kept lower-cased here. Packages and Sources indexes run to hundreds of megabytes, so the
 * parser takes lines one at a time and hands out each paragraph as it ends.
 */

/** One paragraph: field name (lower case) to its value, continuation lines joined with '\n'. */
export type Paragraph = ReadonlyMap<string, string>;

/** Thrown for a line that is neither a field, a continuation nor a separator. */
export class Deb822Error extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`${message} (line ${line})`);
  }
}

/**
 * A push parser: `line()` for each line (without its newline), `end()` after the last; `onParagraph`
 * is called as each paragraph ends. PGP armour lines are not its business: give it signed text
 * only after the signature has been checked and stripped.
 */
export class Deb822Parser {
  private fields = new Map<string, string>();
  private current: string | undefined;
  private lineNo = 0;

  constructor(private readonly onParagraph: (p: Paragraph) => void) {}

  line(raw: string): void {
    this.lineNo++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') {
      this.flush();
      return;
    }
    if (text.startsWith('#')) return;
    if (text.startsWith(' ') || text.startsWith('\t')) {
      if (this.current === undefined)
        throw new Deb822Error('continuation line before any field', this.lineNo);
      const cont = text.trim();
      const prev = this.fields.get(this.current) ?? '';
      this.fields.set(this.current, `${prev}\n${cont === '.' ? '' : cont}`);
      return;
    }
    const colon = text.indexOf(':');
    if (colon <= 0) throw new Deb822Error('expected "Field: value"', this.lineNo);
    const name = text.slice(0, colon).trim().toLowerCase();
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name))
      throw new Deb822Error(`bad field name "${name}"`, this.lineNo);
    this.current = name;
    this.fields.set(name, text.slice(colon + 1).trim());
  }

  end(): void {
    this.flush();
  }

  private flush(): void {
    if (this.fields.size > 0) this.onParagraph(this.fields);
    this.fields = new Map();
    this.current = undefined;
  }
}

/** Every paragraph of a text held in memory (Release files; small indexes in tests). */
export function parseDeb822(text: string): Paragraph[] {
  const out: Paragraph[] = [];
  const parser = new Deb822Parser((p) => out.push(p));
  for (const line of text.split('\n')) parser.line(line);
  parser.end();
  return out;
}

/** The paragraphs of a stream of text chunks, as they end (bounded memory for large indexes). */
export async function* streamDeb822(chunks: AsyncIterable<string>): AsyncGenerator<Paragraph> {
  const ready: Paragraph[] = [];
  const parser = new Deb822Parser((p) => ready.push(p));
  let rest = '';
  for await (const chunk of chunks) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) parser.line(line);
    yield* ready.splice(0);
  }
  if (rest !== '') parser.line(rest);
  parser.end();
  yield* ready.splice(0);
}
