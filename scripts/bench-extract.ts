/**
 * Benchmark (not a test): document extraction as the invoker Lambda runs it, for speed and for
 * cleanliness. The extraction module is bundled exactly as the invoker is (test/helpers/
 * extract-bundle.ts: esbuild with the invoker's settings, pdf.js's data beside it); each document
 * is extracted in a fresh Node process that reports time and peak memory.
 *
 * The corpus is generated once per run, from documents this project writes, each with the noise
 * real ones have and a list of what must not survive:
 * - a 300-page report with a running header, per-chapter headers, "Page N of M" footers and words
 *   hyphenated at line ends (broken words and real compounds);
 * - a 24-page two-column paper with LaTeX-style page numbers 11 % from the bottom, roman numbers in
 *   the front matter and a reference list;
 * - a CJK PDF (a predefined CMap, no embedded font);
 * - a documentation-shaped HTML page (a menu of 300 links, a search dialog, a cookie banner,
 *   permalink marks, highlighted code) and a plain 5 MB article page.
 *
 *   npm run bench:extract
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { makeCjkPdf, makeHtmlPage, makeLaidOutPdf, makeRealWorldHtml, Placed } from '../test/helpers/documents';
import { bundleExtraction } from '../test/helpers/extract-bundle';

/** What must not be in a document's extracted text. */
interface Expectations {
  /** Running header and footer lines (matched as whole lines, digits aside). */
  readonly running: readonly RegExp[];
  /** Words broken at a line end that must come back whole, and compounds that must keep their hyphen. */
  readonly broken: readonly string[];
  readonly compounds: readonly string[];
  /** Noise phrases (banners, dialogs, permalink marks, the reference list). */
  readonly noise: readonly string[];
  /** Text that must be there (a guard against a clean but empty result). */
  readonly kept: readonly string[];
}

interface Doc {
  readonly label: string;
  readonly file: string;
  readonly expect: Expectations;
}

const sentence = (n: number) => `Operators in region ${n} reported that battery storage cut evening peaks by about a fifth this year.`;
const NONE: Expectations = { running: [], broken: [], compounds: [], noise: [], kept: [] };

async function report(dir: string): Promise<Doc> {
  const chapters = ['Markets and Prices', 'Storage Technology', 'Grid Operations', 'Policy and Regulation', 'Outlook'];
  const pages: Placed[][] = [];
  for (let p = 1; p <= 300; p++) {
    const chapter = chapters[Math.floor((p - 1) / 60)];
    const lines = Array.from({ length: 36 }, (_, i) => sentence(p * 100 + i).slice(0, 88));
    // Words hyphenated at line ends, as a typesetter breaks them: two broken words, two compounds.
    lines[10] = 'Data at rest needs strong encryp-';
    lines[11] = 'tion, and every floating-';
    lines[12] = 'point reading is kept; the infor-';
    lines[13] = 'mation shows a well-';
    lines[14] = 'known pattern in floating point maths and encryption at every well known site.';
    pages.push([
      { text: 'ACME Research Quarterly · Confidential', x: 72, y: 752, size: 8 },
      { text: chapter, x: 400, y: 752, size: 8 },
      ...lines.map((text, i) => ({ text, x: 72, y: 712 - i * 17, size: 10 })),
      { text: `Page ${p} of 300`, x: 280, y: 40, size: 8 },
    ]);
  }
  const file = path.join(dir, 'report-300-pages.pdf');
  fs.writeFileSync(file, await makeLaidOutPdf(pages));
  return {
    label: 'PDF report, 300 p',
    file,
    expect: {
      ...NONE,
      running: [/^ACME Research Quarterly · Confidential/, /Page # of #$/, ...chapters.map((c) => new RegExp(`^${c}$`))],
      broken: ['encryption', 'information'],
      compounds: ['floating-point', 'well-known'],
      kept: ['region 29935'],
    },
  };
}

async function paper(dir: string): Promise<Doc> {
  const pages: Placed[][] = [];
  const column = (p: number, side: number) => Array.from({ length: 48 }, (_, i) => `Col ${side} line ${i} of page ${p}: grid storage data.`);
  for (let p = 1; p <= 24; p++) {
    const runs: Placed[] = [];
    column(p, 1).forEach((text, i) => runs.push({ text, x: 72, y: 700 - i * 12, size: 9 }, { text: column(p, 2)[i], x: 320, y: 700 - i * 12, size: 9 }));
    // LaTeX puts the number 11 % from the bottom; the front matter is numbered in roman.
    runs.push({ text: p <= 3 ? ['i', 'ii', 'iii'][p - 1] : String(p - 3), x: 300, y: 87, size: 9 });
    if (p === 24) runs.push({ text: 'References', x: 320, y: 112, size: 12 }, { text: '[1] A. Author. Grid storage. J. Power, 2024.', x: 320, y: 100, size: 8 });
    pages.push(runs);
  }
  const file = path.join(dir, 'paper-two-columns.pdf');
  fs.writeFileSync(file, await makeLaidOutPdf(pages));
  return { label: 'PDF paper, 2 col', file, expect: { ...NONE, noise: ['J. Power'], kept: ['Col 2 line 47 of page 24'] } };
}

function cjk(dir: string): Doc {
  const file = path.join(dir, 'cjk.pdf');
  fs.writeFileSync(file, makeCjkPdf(['日本語の文書です。', '東京の市場は上昇した。'], 'Tokyo markets rose.'));
  return { label: 'PDF, CJK', file, expect: { ...NONE, kept: ['東京の市場は上昇した。'] } };
}

function html(dir: string): Doc[] {
  const docs = path.join(dir, 'docs-2mb.html');
  fs.writeFileSync(docs, makeRealWorldHtml(2_000_000));
  const plain = path.join(dir, 'article-5mb.html');
  const paragraphs: string[] = [];
  for (let n = 0, length = 0; length < 5_000_000; n++) {
    paragraphs.push(sentence(n));
    length += paragraphs[n].length + 7;
  }
  fs.writeFileSync(plain, makeHtmlPage({ title: 'A very long page', paragraphs }));
  return [
    { label: 'HTML docs, 2 MB', file: docs, expect: { ...NONE, noise: ['cookies', 'Press / to search', '¶', 'item_299'], kept: ['# read meter 1\nreading = meter.read(channel=1)'] } },
    { label: 'HTML article, 5 MB', file: plain, expect: { ...NONE, noise: ['COOKIE-NOISE', 'NAV-NOISE', 'FOOTER-NOISE'] } },
  ];
}

const normalised = (line: string) => line.replace(/\d+/g, '#').trim();
const occurrences = (text: string, needle: string) => text.split(needle).length - 1;

/** Cleanliness figures of one extracted text against what its document must not keep. */
function cleanliness(text: string, pages: number | undefined, expect: Expectations) {
  const lines = text.split('\n');
  const running = lines.filter((l) => expect.running.some((r) => r.test(normalised(l)))).length;
  const pageNumbers = lines.filter((l) => /^\s*((page\s+)?\d+(\s+of\s+\d+)?|[ivxlc]+|[-–]\s*\d+\s*[-–])\s*$/i.test(l)).length;
  const broken = expect.broken.reduce((n, w) => n + occurrences(text, `${w.slice(0, 5)}- ${w.slice(5)}`) + occurrences(text, `${w.slice(0, 5)} ${w.slice(5)}`), 0);
  const wronglyJoined = expect.compounds.reduce((n, c) => n + occurrences(text, c.replace('-', '')), 0);
  const noise = expect.noise.reduce((n, phrase) => n + occurrences(text, phrase), 0);
  const missing = expect.kept.filter((k) => !text.includes(k)).length;
  return { runningPer100: pages ? (100 * running) / pages : running, pageNumbers, brokenOrJoined: broken + wronglyJoined, noise, missing };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-extract-'));
  const started = Date.now();
  const corpus = [await report(dir), await paper(dir), cjk(dir), ...html(dir)];
  const script = bundleExtraction(dir);
  console.log(`corpus generated in ${((Date.now() - started) / 1000).toFixed(1)} s; Lambda-style bundle ${(fs.statSync(script).size / 1e6).toFixed(1)} MB\n`);
  const head = ['document', 'MB', 'pages', 'seconds', 'pages/s', 'MB/s', 'peak MB', 'hdr/100p', 'page#', 'hyphen', 'noise', 'missing'];
  const widths = [19, 5, 6, 8, 8, 6, 8, 9, 6, 7, 6, 8];
  const row = (cells: Array<string | number>) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' ');
  console.log(row(head));
  for (const doc of corpus) {
    const run = spawnSync(process.execPath, [script, doc.file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.status !== 0) throw new Error(`${doc.label}: ${run.stderr}`);
    const r = JSON.parse(run.stdout.trim().split('\n').pop()!);
    if (!r.extraction.ok) throw new Error(`${doc.label}: ${r.extraction.reason}`);
    const mb = r.bytes / 1e6;
    const pages: number | undefined = r.extraction.pages;
    const q = cleanliness(r.extraction.text, pages, doc.expect);
    console.log(
      row([
        doc.label,
        mb.toFixed(1),
        pages ?? '-',
        r.seconds.toFixed(2),
        pages ? (pages / r.seconds).toFixed(0) : '-',
        (mb / r.seconds).toFixed(1),
        r.peakRssMb.toFixed(0),
        q.runningPer100.toFixed(1),
        q.pageNumbers,
        q.brokenOrJoined,
        q.noise,
        q.missing,
      ]),
    );
  }
  console.log('\nhdr/100p: running header/footer lines left per 100 pages; page#: page-number lines; hyphen: words broken or');
  console.log('compounds wrongly joined at line ends; noise: banner, dialog, menu, permalink and reference-list phrases kept;');
  console.log('missing: text that must be there and is not. Targets: 0 in each of the last five columns; HTML ≥ 1 MB/s.');
  fs.rmSync(dir, { recursive: true, force: true });
}

void main();
