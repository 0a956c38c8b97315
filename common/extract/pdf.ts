import { getDocument } from './pdfjs';
import type { ExtractionLimits, Extraction } from './types';

interface TextItem {
  readonly str: string;
  readonly transform: number[];
  readonly height: number;
  readonly hasEOL: boolean;
}

interface Line {
  text: string;
  y: number;
  height: number;
}

interface Page {
  readonly lines: Line[];
  /** Page height in PDF units (y grows upwards from the bottom). */
  readonly height: number;
}

/** A line that is only a page number: "7", "- 7 -", "Page 7", "7 of 120", "7/120". */
const PAGE_NUMBER = /^[-–—\s]*(page|p\.|seite|página|page\s+no\.?)?\s*\d{1,5}(\s*(of|\/|von|de)\s*\d{1,5})?[-–—\s]*$/i;
/** Running headers and footers sit in the top and bottom margins: this share of the page height. */
const MARGIN_BAND = 0.07;
/** A header or footer repeats (digits aside) on at least this share of pages. */
const REPEATED_ON = 0.6;

/**
 * The text of a PDF in reading order, page by page, with Mozilla's pdf.js: text runs in the
 * order the page content draws them (which is column by column in laid-out documents), joined
 * into lines and paragraphs by their positions; words hyphenated across a line break joined;
 * running headers, footers and page numbers that repeat on most pages dropped.
 */
export async function extractPdf(bytes: Uint8Array, limits: ExtractionLimits, now: () => number = Date.now): Promise<Extraction> {
  const deadline = now() + limits.maxSeconds * 1000;
  let doc;
  try {
    // pdf.js takes ownership of the buffer it is given: hand it a copy. No eval (CVE-2024-4367).
    doc = await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, useSystemFonts: false, disableFontFace: true, verbosity: 0 }).promise;
  } catch (e) {
    const name = (e as Error).name;
    if (name === 'PasswordException') {
      return { ok: false, format: 'pdf', reason: 'the PDF is encrypted and needs a password to open: upload an unprotected copy' };
    }
    if (name === 'InvalidPDFException') return { ok: false, format: 'pdf', reason: `the PDF is corrupt or incomplete (${(e as Error).message})` };
    return { ok: false, format: 'pdf', reason: `the PDF could not be read (${name}: ${(e as Error).message})` };
  }
  try {
    if (doc.numPages > limits.maxPages) {
      return { ok: false, format: 'pdf', reason: `the PDF has ${doc.numPages} pages; at most ${limits.maxPages} pages are extracted (limit maxPages)` };
    }
    const pages: Page[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      if (now() > deadline) {
        return { ok: false, format: 'pdf', reason: `extracting the PDF took longer than ${limits.maxSeconds} s (limit maxSeconds) at page ${n} of ${doc.numPages}` };
      }
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      const [, y0, , y1] = page.view;
      pages.push({ lines: linesOf(content.items.filter((i) => 'str' in i) as unknown as TextItem[]), height: Math.abs(y1 - y0) || 792 });
      page.cleanup();
    }
    const body = dropRunningLines(pages).map(pageText).filter((t) => t !== '');
    const text = body.join('\n\n');
    if (text.trim() === '') {
      return {
        ok: false,
        format: 'pdf',
        reason: `the PDF has no extractable text in its ${doc.numPages} page${doc.numPages === 1 ? '' : 's'} (scanned images?): run OCR on it first`,
      };
    }
    const info = (await doc.getMetadata().catch(() => undefined))?.info as { Title?: unknown } | undefined;
    const title = typeof info?.Title === 'string' && info.Title.trim() !== '' ? info.Title.trim() : undefined;
    return { ok: true, format: 'pdf', text, characters: text.length, pages: doc.numPages, ...(title ? { title } : {}) };
  } finally {
    await doc.destroy();
  }
}

/** Joins text runs into lines: a run ends its line when pdf.js says so or the next starts lower or higher. */
function linesOf(items: readonly TextItem[]): Line[] {
  const lines: Line[] = [];
  let current: Line | undefined;
  for (const item of items) {
    const y = item.transform[5];
    const height = Math.abs(item.height) || Math.abs(item.transform[3]) || 10;
    if (current && Math.abs(current.y - y) > Math.max(current.height, height) * 0.5 && item.str.trim() !== '') {
      lines.push(current);
      current = undefined;
    }
    if (item.str !== '') {
      if (!current) current = { text: '', y, height };
      current.text += item.str;
      current.height = Math.max(current.height, height);
    }
    if (item.hasEOL && current) {
      lines.push(current);
      current = undefined;
    }
  }
  if (current) lines.push(current);
  return lines.map((l) => ({ ...l, text: l.text.replace(/\s+/g, ' ').trim() })).filter((l) => l.text !== '');
}

const normalise = (text: string) => text.replace(/\d+/g, '#').replace(/\s+/g, ' ').trim().toLowerCase();

/**
 * Drops, from the top and bottom margins only, page numbers and lines that repeat (digits
 * aside) on most pages: running headers and footers. Body text is never touched.
 */
function dropRunningLines(pages: Page[]): Line[][] {
  const inMargin = (page: Page) => (l: Line) => l.y > page.height * (1 - MARGIN_BAND) || l.y < page.height * MARGIN_BAND;
  const seen = new Map<string, number>();
  for (const page of pages) {
    for (const key of new Set(page.lines.filter(inMargin(page)).map((l) => normalise(l.text)))) seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const repeated = (text: string) => pages.length >= 3 && (seen.get(normalise(text)) ?? 0) >= Math.max(3, REPEATED_ON * pages.length);
  return pages.map((page) => {
    const margin = inMargin(page);
    return page.lines.filter((l) => !(margin(l) && (PAGE_NUMBER.test(l.text) || repeated(l.text))));
  });
}

/** Lines into paragraphs: a gap larger than 1.6 lines starts a new one; hyphenated words are joined. */
function pageText(lines: Line[]): string {
  let text = '';
  lines.forEach((line, i) => {
    if (i === 0) {
      text = line.text;
      return;
    }
    const previous = lines[i - 1];
    const gap = Math.abs(previous.y - line.y);
    const newParagraph = gap > 1.6 * Math.max(previous.height, line.height) || line.y > previous.y + previous.height; // a new column starts higher up
    if (newParagraph) text += `\n\n${line.text}`;
    else if (/\p{L}-$/u.test(text) && /^\p{Ll}/u.test(line.text)) text = text.slice(0, -1) + line.text;
    else text += ` ${line.text}`;
  });
  return text;
}
