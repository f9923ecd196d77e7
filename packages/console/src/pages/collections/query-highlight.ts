/** Token classes of the query editor's colouring. Regex-based so unfinished text still colours. */
export type HighlightKind =
  'keyword' | 'string' | 'number' | 'class' | 'property' | 'op' | 'punct' | 'text';

export interface Piece {
  from: number;
  to: number;
  kind: HighlightKind;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'any', 'like', 'in', 'is', 'null', 'true', 'false']);

/** Splits the text into coloured pieces covering every character. */
export function highlight(text: string): Piece[] {
  const pieces: Piece[] = [];
  const re =
    /("(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?)|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(<=|>=|!=|<>|==|=|<|>)|([(),.])|(\s+|.)/gs;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const from = m.index;
    const to = from + m[0].length;
    let kind: HighlightKind = 'text';
    if (m[1] !== undefined) kind = 'string';
    else if (m[2] !== undefined) kind = 'number';
    else if (m[3] !== undefined) {
      if (KEYWORDS.has(m[3].toLowerCase())) kind = 'keyword';
      else if (text[to] === '.' || /any\s*\(\s*$/i.test(text.slice(0, from))) kind = 'class';
      else kind = 'property';
    } else if (m[4] !== undefined) kind = 'op';
    else if (m[5] !== undefined) kind = 'punct';
    pieces.push({ from, to, kind });
  }
  return pieces;
}

/** Cuts pieces at the given offsets so an error range or the caret can be marked exactly. */
export function cutPieces(pieces: readonly Piece[], cuts: readonly number[]): Piece[] {
  const out: Piece[] = [];
  const sorted = [...new Set(cuts)].sort((a, b) => a - b);
  for (const p of pieces) {
    let start = p.from;
    for (const c of sorted) {
      if (c > start && c < p.to) {
        out.push({ from: start, to: c, kind: p.kind });
        start = c;
      }
    }
    out.push({ from: start, to: p.to, kind: p.kind });
  }
  return out;
}
