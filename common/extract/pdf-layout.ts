/**
 * From positioned text runs (what pdf.js's getTextContent gives, page by page) to the text a reader
 * reads: rows and cells by geometry, two columns in reading order, running headers, footers and page
 * numbers removed, headings, list items and table rows kept apart from the prose, words hyphenated
 * at a line end rejoined with the document's own vocabulary, and a trailing reference list set aside.
 * Pure functions, no pdf.js: tests drive them with generated PDFs and with hand-made runs.
 */
import type { Removals } from './types';

/** One text run: PDF units, y grows upwards from the bottom of the page, (x, y) is the baseline start. */
export interface TextRun {
  readonly str: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  /** Font size: the run's vertical scale. */
  readonly size: number;
  /** Set in a monospaced font (pdf.js's `styles[fontName].fontFamily`): code, kept line by line. */
  readonly mono?: boolean;
}

export interface LayoutPage {
  readonly runs: readonly TextRun[];
}

/** What was taken out of the text, for the record and for `summarizer extract`. */
export type PdfRemovals = Required<Pick<Removals, 'runningLines' | 'pageNumbers' | 'hyphenationsJoined'>> & Pick<Removals, 'references'>;

export interface PdfLayoutText {
  /** The text to summarize: paragraphs separated by a blank line; list items and table rows one per line. */
  readonly text: string;
  /** The excluded reference section, heading included. */
  readonly references?: string;
  readonly removed: PdfRemovals;
}

interface Cell {
  text: string;
  x0: number;
  x1: number;
  mono: boolean;
}

/** A row of text on one baseline: its runs left to right. */
interface Row {
  runs: TextRun[];
  y: number;
  size: number;
}

/** A line in reading order. */
interface Line {
  readonly cells: readonly Cell[];
  readonly text: string;
  readonly y: number;
  readonly x0: number;
  readonly size: number;
  /** The left edge of the column the line is in. */
  readonly columnLeft: number;
  readonly page: number;
}

/** Runs on baselines closer than this share of the font size are one row (superscripts included). */
const SAME_ROW = 0.4;
/** A horizontal gap between words wider than this many font sizes separates table cells. */
const CELL_GAP = 2.0;
/** A space run at most this many font sizes wide is a word space; a wider one (pdf.js's stand-in for a gap) is a gap. */
const WORD_SPACE = 1.0;
/** Text larger than the body text by this factor is a heading. */
const HEADING_SCALE = 1.15;
/** At most this many rows at the top and at the bottom of a page, set apart from the text by a gap, are its bands. */
const BAND_ROWS = 2;
/** The gap that sets a band apart, in line heights. */
const BAND_GAP = 1.6;
/** A line repeated in the bands of two pages this close together is a running header or footer (per chapter too). */
const RUNNING_DISTANCE = 2;
/** On a two-column page, at most this share of rows may cross the gutter (a title, an abstract). */
const SPANNING_ROWS = 0.2;

export const BULLET = /^([•◦▪▫‣⁃●○■□–—*-]|\(?\d{1,3}[.)]|\[\d{1,3}\]|\(?[a-z][.)]|\(?[ivx]{1,4}\))\s/u;

const isSpace = (run: TextRun) => run.str.trim() === '';

/** Rows of a page, top to bottom, runs left to right. */
export function rowsOf(runs: readonly TextRun[]): Row[] {
  const sorted = runs.filter((r) => r.str !== '').sort((a, b) => b.y - a.y || a.x - b.x);
  const rows: Row[] = [];
  for (const run of sorted) {
    const row = rows[rows.length - 1];
    if (row && Math.abs(row.y - run.y) <= SAME_ROW * Math.max(row.size, run.size)) {
      row.runs.push(run);
      // The row's baseline and size are those of its largest text (a superscript does not move it).
      if (run.size > row.size && !isSpace(run)) {
        row.size = run.size;
        row.y = run.y;
      }
    } else {
      rows.push({ runs: [run], y: run.y, size: run.size });
    }
  }
  for (const row of rows) row.runs.sort((a, b) => a.x - b.x);
  return rows.filter((row) => row.runs.some((r) => !isSpace(r)));
}

/**
 * Runs into cells: a gap between words wider than CELL_GAP font sizes starts a new cell (a table
 * column). Word spaces come from the runs' own spaces, or from a visible gap between runs.
 */
function cellsOf(runs: readonly TextRun[], size: number): Cell[] {
  const cells: Cell[] = [];
  let current: Cell | undefined;
  let spaced = false;
  for (const run of runs) {
    if (isSpace(run)) {
      // pdf.js stands a space run in for any gap; only a word-sized one joins words.
      if (current && run.width <= WORD_SPACE * size) current.x1 = Math.max(current.x1, run.x + run.width);
      spaced = true;
      continue;
    }
    const x1 = run.x + Math.max(0, run.width);
    if (current && run.x - current.x1 > CELL_GAP * size) {
      cells.push(current);
      current = undefined;
    }
    const mono = run.mono === true;
    if (!current) {
      current = { text: run.str, x0: run.x, x1, mono };
    } else {
      const gap = run.x - current.x1;
      // A gap narrower than a fifth of the size is kerning or a glyph drawn apart (an underscore), not a space.
      const space = (spaced || gap > 0.2 * size) && !/\s$/.test(current.text) && !/^\s/.test(run.str) ? ' ' : '';
      current.text += space + run.str;
      current.x1 = Math.max(current.x1, x1);
      current.mono &&= mono;
    }
    spaced = false;
  }
  if (current) cells.push(current);
  return cells.map((c) => ({ ...c, text: c.text.replace(/\s+/g, ' ').trim() })).filter((c) => c.text !== '');
}

const rowText = (cells: readonly Cell[]) => cells.map((c) => c.text).join('\t');

/**
 * The gutter of a two-column page: an x near the middle of the text that the words of almost no
 * row cover (a title or an abstract may span both columns), with text on both sides of it in at
 * least 5 rows. Found on the words themselves, so a narrow gutter (LaTeX's 10 pt) counts as well
 * as a wide one, and justified spacing, which moves from row to row, does not.
 */
export function gutterOf(rows: readonly Row[]): number | undefined {
  const words = rows.map((r) => r.runs.filter((run) => !isSpace(run)));
  const all = words.flat();
  if (rows.length < 10 || all.length === 0) return undefined;
  const left = Math.min(...all.map((r) => r.x));
  const right = Math.max(...all.map((r) => r.x + r.width));
  const from = Math.floor(left + (right - left) / 3);
  const to = Math.ceil(right - (right - left) / 3);
  if (to - from < 4) return undefined;
  // How many rows cover each x of the middle third (a difference array: linear in the runs).
  const covered = new Int32Array(to - from + 2);
  for (const row of words) {
    for (const run of row) {
      const a = Math.max(from, Math.floor(run.x));
      const b = Math.min(to, Math.ceil(run.x + run.width));
      if (a > b) continue;
      covered[a - from]++;
      covered[b - from + 1]--;
    }
  }
  const limit = Math.floor(SPANNING_ROWS * rows.length);
  let best: { start: number; end: number } | undefined;
  let start = -1;
  let running = 0;
  for (let i = 0; i <= to - from; i++) {
    running += covered[i];
    const free = running <= limit;
    if (free && start < 0) start = i;
    if ((!free || i === to - from) && start >= 0) {
      const end = free ? i : i - 1;
      if (!best || end - start > best.end - best.start) best = { start, end };
      start = -1;
    }
  }
  if (!best) return undefined;
  const gutter = from + (best.start + best.end) / 2;
  const both = words.filter((row) => row.some((r) => r.x + r.width <= gutter) && row.some((r) => r.x >= gutter)).length;
  return both >= 5 ? gutter : undefined;
}

/** A page's rows as lines in reading order: on a two-column page, each band between spanning rows left column first. */
export function readingOrder(rows: readonly Row[], page: number): Line[] {
  const gutter = gutterOf(rows);
  const line = (cells: Cell[], row: Row, columnLeft: number): Line => ({ cells, text: rowText(cells), y: row.y, x0: cells[0].x0, size: row.size, columnLeft, page });
  const leftEdge = (runs: readonly TextRun[]) => (runs.length ? Math.min(...runs.map((r) => r.x)) : 0);
  const words = rows.flatMap((r) => r.runs.filter((run) => !isSpace(run)));
  const pageLeft = leftEdge(words);
  if (gutter === undefined) {
    return rows.map((r) => ({ r, cells: cellsOf(r.runs, r.size) })).filter(({ cells }) => cells.length > 0).map(({ r, cells }) => line(cells, r, pageLeft));
  }
  const leftColumn = leftEdge(words.filter((r) => r.x + r.width <= gutter));
  const rightColumn = leftEdge(words.filter((r) => r.x >= gutter));
  const out: Line[] = [];
  let lefts: Line[] = [];
  let rights: Line[] = [];
  const flush = () => {
    out.push(...lefts, ...rights);
    lefts = [];
    rights = [];
  };
  for (const row of rows) {
    if (row.runs.some((r) => !isSpace(r) && r.x < gutter && r.x + r.width > gutter)) {
      flush();
      const cells = cellsOf(row.runs, row.size);
      if (cells.length) out.push(line(cells, row, pageLeft));
      continue;
    }
    const l = cellsOf(row.runs.filter((r) => r.x < gutter), row.size);
    const r = cellsOf(row.runs.filter((run) => run.x >= gutter), row.size);
    if (l.length) lefts.push(line(l, row, leftColumn));
    if (r.length) rights.push(line(r, row, rightColumn));
  }
  flush();
  return out;
}

const ROMAN = /^(?=[mdclxvi]+$)m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$/i;
function romanValue(s: string): number {
  const v: Record<string, number> = { i: 1, v: 5, x: 10, l: 50, c: 100, d: 500, m: 1000 };
  const chars = s.toLowerCase().split('');
  return chars.reduce((sum, c, i) => sum + (v[chars[i + 1]] > v[c] ? -v[c] : v[c]), 0);
}

/** "Page 3", "Page 3 of 10", "3 of 10", "3/10", "Seite 3", "p. 3": always a page number in the bands. */
const EXPLICIT_PAGE_NUMBER = /^(?:(?:page|p\.|pg\.?|seite|página|pagina)\s*[\divxlcdm]+(?:\s*(?:of|\/|von|de|di)\s*\d+)?|\d+\s*(?:of|\/|von|de|di)\s*\d+)$/i;

/** The value of a bare page number ("7", "– 7 –", "[7]", "vii"), or undefined. */
export function barePageNumber(text: string): { value: number; roman: boolean } | undefined {
  const core = text.replace(/^[\s\-–—[(]+|[\s\-–—\])]+$/g, '');
  if (/^\d{1,5}$/.test(core)) return { value: Number(core), roman: false };
  if (ROMAN.test(core)) return { value: romanValue(core), roman: true };
  return undefined;
}

export const isExplicitPageNumber = (text: string) => EXPLICIT_PAGE_NUMBER.test(text.replace(/^[\s\-–—]+|[\s\-–—]+$/g, ''));

/** A running line's identity: digits and roman numerals stand for any number (page and chapter numbers change). */
const runningKey = (text: string) =>
  text
    .toLowerCase()
    .replace(/\d+/g, '#')
    .replace(/\b[ivxlcdm]+\b/g, (m) => (ROMAN.test(m) ? '#' : m))
    .replace(/\s+/g, ' ')
    .trim();

/**
 * The rows of a page's top and bottom bands: up to BAND_ROWS rows at each end that a gap of more
 * than BAND_GAP line heights sets apart from the text, measured on the page's own text (whatever
 * its margins), so a header 7 % or 11 % from the edge is found alike.
 */
function bandOf(lines: readonly Line[]): Set<Line> {
  const rows = [...new Map(lines.map((l) => [l.y, l.size])).entries()].sort((a, b) => b[0] - a[0]);
  const take = (ordered: Array<[number, number]>): number[] => {
    for (let i = 0; i < Math.min(BAND_ROWS, ordered.length - 1); i++) {
      const [y, size] = ordered[i];
      const [nextY, nextSize] = ordered[i + 1];
      if (Math.abs(y - nextY) > BAND_GAP * Math.max(size, nextSize)) return ordered.slice(0, i + 1).map(([bandY]) => bandY);
    }
    return [];
  };
  let top = take(rows);
  let bottom = take([...rows].reverse());
  // Bands leave text between them. On a page of a few lines only one can be a band: the smaller
  // (on a tie the bottom one, where page numbers usually are).
  if (top.length + bottom.length >= rows.length) {
    if (top.length >= bottom.length) top = [];
    else bottom = [];
  }
  const band = new Set([...top, ...bottom]);
  return new Set(lines.filter((l) => band.has(l.y)));
}

/** The most common font size, weighted by characters: the body text's size. */
export function bodySize(lines: readonly Line[]): number {
  const weight = new Map<number, number>();
  for (const l of lines) {
    const size = Math.round(l.size * 2) / 2;
    weight.set(size, (weight.get(size) ?? 0) + l.text.length);
  }
  let best = 10;
  let bestWeight = -1;
  for (const [size, w] of weight) if (w > bestWeight) [best, bestWeight] = [size, w];
  return best;
}

/**
 * Drops running headers, footers and page numbers from the top and bottom rows of each page.
 * - A running line is one whose text (numbers aside) sits in the bands of two pages at most
 *   RUNNING_DISTANCE apart: document-wide and per-chapter headers alike, and even/odd page headers.
 *   Text larger than the body (a chapter title on its first page) is never taken for one.
 * - "Page N", "N of M" are page numbers wherever they are in the bands; a bare number (arabic or
 *   roman, with dashes or brackets) is one when another page's bare number has the same offset from
 *   its page index, as page numbering does.
 */
export function dropRunningLines(pages: readonly Line[][], body: number): { pages: Line[][]; runningLines: number; pageNumbers: number } {
  const bands = pages.map(bandOf);
  const pagesOfKey = new Map<string, number[]>();
  const offsets = new Map<string, number>();
  bands.forEach((band, page) => {
    for (const key of new Set([...band].filter((l) => l.size < body * HEADING_SCALE).map((l) => runningKey(l.text)))) pagesOfKey.set(key, [...(pagesOfKey.get(key) ?? []), page]);
    for (const l of band) {
      const n = barePageNumber(l.text);
      if (n) offsets.set(`${n.roman}:${n.value - page}`, (offsets.get(`${n.roman}:${n.value - page}`) ?? 0) + 1);
    }
  });
  const running = (key: string) => {
    const on = pagesOfKey.get(key) ?? [];
    return on.some((p, i) => i > 0 && p - on[i - 1] <= RUNNING_DISTANCE);
  };
  let runningLines = 0;
  let pageNumbers = 0;
  const kept = pages.map((lines, page) =>
    lines.filter((l) => {
      if (!bands[page].has(l)) return true;
      const n = barePageNumber(l.text);
      if (isExplicitPageNumber(l.text) || (n && (offsets.get(`${n.roman}:${n.value - page}`) ?? 0) >= 2)) {
        pageNumbers++;
        return false;
      }
      if (l.size < body * HEADING_SCALE && running(runningKey(l.text))) {
        runningLines++;
        return false;
      }
      return true;
    }),
  );
  return { pages: kept, runningLines, pageNumbers };
}

const WORD = /[\p{L}\p{N}_][\p{L}\p{N}_'’-]*/gu;

/** Every word of the document, lowercased, hyphenated compounds whole and in parts; line-end fragments left out. */
export function vocabularyOf(lines: readonly Line[]): Set<string> {
  const words = new Set<string>();
  for (const l of lines) {
    const tokens = l.text.match(WORD) ?? [];
    // A word cut at the line end is not evidence of anything.
    const usable = /-$/.test(l.text) ? tokens.slice(0, -1) : tokens;
    for (const t of usable) {
      const word = t.toLowerCase().replace(/['’-]+$/, '');
      words.add(word);
      if (word.includes('-')) for (const part of word.split('-')) if (part) words.add(part);
    }
  }
  return words;
}

/**
 * How a line ending in "frag-" continues with "rest…": joined ("encryption"), or with the hyphen
 * kept ("floating-point", "--show-leak-kinds").
 */
export function joinHyphenated(before: string, after: string, vocabulary: ReadonlySet<string>): { text: string; joined: boolean } {
  const fragment = /(\S*)-$/.exec(before)?.[1] ?? '';
  const rest = /^[\p{L}\p{N}_]+/u.exec(after)?.[0] ?? '';
  const keep = { text: `${before}${after}`, joined: false };
  if (!fragment || !rest) return keep;
  // An option or identifier ("--show-leak-", "sha256_", "getValue-") keeps every hyphen.
  if (/^-|[_/\\.:=@#\d]|\p{Ll}\p{Lu}/u.test(fragment) || /[_\d]/.test(rest) || !/^\p{Ll}/u.test(rest)) return keep;
  const last = fragment.toLowerCase().split('-').pop()!.replace(/^[^\p{L}]+/u, '');
  const lowerRest = rest.toLowerCase();
  if (vocabulary.has(`${last}-${lowerRest}`) || vocabulary.has(`${fragment.toLowerCase()}-${lowerRest}`)) return keep;
  const join = { text: `${before.slice(0, -1)}${after}`, joined: true };
  if (vocabulary.has(`${last}${lowerRest}`)) return join;
  if (!vocabulary.has(last) || !vocabulary.has(lowerRest)) return join;
  return keep;
}

/** Chinese and Japanese characters and their punctuation (CJK symbols, full-width forms). */
const CJK = '[\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\u3000-\\u303f\\uff00-\\uffef]';
const CJK_ANY = new RegExp(CJK, 'u');
const CJK_START = new RegExp(`^${CJK}`, 'u');
const CJK_END = new RegExp(`${CJK}$`, 'u');

const REFERENCES_HEADING = /^(?:(?:\d+|[ivx]+|[a-z])\.?\s+)?(references|bibliography|works cited|literature cited|literature|reference list)$/i;

type Block = { kind: 'heading' | 'paragraph' | 'item' | 'row' | 'code'; text: string; size: number; x0: number };

/** Kinds of block that are one line each, kept one per line. */
const LINE_BLOCKS: ReadonlySet<Block['kind']> = new Set(['item', 'row', 'code']);

/** Lines into headings, paragraphs, list items and table rows. */
function blocksOf(lines: readonly Line[], body: number, vocabulary: ReadonlySet<string>): { blocks: Block[]; joined: number } {
  const blocks: Block[] = [];
  let joined = 0;
  let previous: Line | undefined;
  for (const line of lines) {
    const current = blocks[blocks.length - 1];
    const heading = line.size >= body * HEADING_SCALE && line.text.length < 200;
    const kind: Block['kind'] = heading
      ? 'heading'
      : line.cells.every((c) => c.mono) && !CJK_ANY.test(line.text) // CJK fonts are fixed-pitch too: not code
        ? 'code'
        : line.cells.length > 1
          ? 'row'
          : BULLET.test(line.text)
            ? 'item'
            : 'paragraph';
    const continues =
      current !== undefined &&
      previous !== undefined &&
      (kind === 'paragraph' || (kind === 'heading' && current.kind === 'heading')) &&
      // A list item goes on in lines indented past its bullet.
      (current.kind === kind || (current.kind === 'item' && kind === 'paragraph' && line.x0 > current.x0 + body / 2)) &&
      !newParagraph(previous, line, body, current.kind === 'item');
    if (continues) {
      if (/[\p{L}\p{N}]-$/u.test(current.text)) {
        const next = joinHyphenated(current.text, line.text, vocabulary);
        current.text = next.text;
        if (next.joined) joined++;
      } else {
        // Chinese and Japanese put no space between words: a line break inside their text is no space either.
        current.text += CJK_END.test(current.text) && CJK_START.test(line.text) ? line.text : ` ${line.text}`;
      }
    } else {
      blocks.push({ kind, text: line.text, size: line.size, x0: line.x0 });
    }
    previous = line;
  }
  return { blocks, joined };
}

/** A new paragraph: a larger gap than line spacing, a new column or page that does not continue a sentence, or a first-line indent. */
function newParagraph(previous: Line, line: Line, body: number, inItem: boolean): boolean {
  const carriesOn = !/[.!?:;"”)]$/.test(previous.text) && /^[\p{Ll}\p{N}(]/u.test(line.text);
  if (line.page !== previous.page || line.columnLeft !== previous.columnLeft || line.y > previous.y) return !carriesOn;
  const gap = previous.y - line.y;
  if (gap > 1.6 * Math.max(previous.size, line.size)) return true;
  return !inItem && line.x0 > line.columnLeft + body && previous.x0 <= line.columnLeft + body / 2 && !carriesOn;
}

/** The pages of a document, in order, as clean text (see the module comment). */
export function layoutText(pages: readonly LayoutPage[]): PdfLayoutText {
  const ordered = pages.map((p, i) => readingOrder(rowsOf(p.runs), i));
  const body = bodySize(ordered.flat());
  const { pages: kept, runningLines, pageNumbers } = dropRunningLines(ordered, body);
  const lines = kept.flat();
  const { blocks, joined } = blocksOf(lines, body, vocabularyOf(lines));
  const render = (list: readonly Block[]) =>
    list
      .map((b, i) => {
        const tight = i > 0 && LINE_BLOCKS.has(b.kind) && list[i - 1].kind === b.kind;
        return `${i === 0 ? '' : tight ? '\n' : '\n\n'}${b.text}`;
      })
      .join('');
  const refAt = blocks.findIndex((b, i) => (b.kind === 'heading' || b.text.length < 40) && REFERENCES_HEADING.test(b.text.trim()) && i >= blocks.length / 3);
  if (refAt < 0 || refAt === 0) return { text: render(blocks), removed: { runningLines, pageNumbers, hyphenationsJoined: joined } };
  // The section ends at the next heading as large as its own (an appendix after the references stays).
  const headingSize = blocks[refAt].size;
  let end = blocks.findIndex((b, i) => i > refAt && b.kind === 'heading' && b.size >= headingSize - 0.1);
  if (end < 0) end = blocks.length;
  const references = render(blocks.slice(refAt, end));
  const text = render([...blocks.slice(0, refAt), ...blocks.slice(end)]);
  return {
    text,
    references,
    removed: { runningLines, pageNumbers, hyphenationsJoined: joined, references: { heading: blocks[refAt].text, characters: references.length } },
  };
}
