import * as fs from 'fs';
import * as path from 'path';
import { layoutText, LayoutPage, TextRun } from './pdf-layout';
import { getDocument } from './pdfjs';
import { PDFJS_DATA_DIR, type ExtractionLimits, type Extraction } from './types';

interface TextItem {
  readonly str: string;
  readonly transform: number[];
  readonly width: number;
  readonly height: number;
  readonly fontName: string;
}

/**
 * pdf.js's data files: the predefined CMaps (UniJIS-UCS2-H and the other CJK encodings, which a
 * PDF may name instead of embedding) and the 14 standard fonts' metrics. Without them, text in a
 * font that uses a predefined CMap comes back empty. The invoker's bundle carries a copy next to
 * its code (lib/constructs/handler-function.ts, `pdfjsData`); elsewhere they are read from
 * node_modules. pdf.js in Node reads them with fs.readFile from these paths (node_utils.js).
 * Without either, PDFs are refused naming the missing files, rather than read with their CJK text
 * silently left out.
 */
export function pdfjsDataDirs(): { cMapUrl: string; standardFontDataUrl: string } {
  const bundled = path.join(__dirname, PDFJS_DATA_DIR);
  let root = bundled;
  if (!fs.existsSync(bundled)) {
    try {
      root = path.dirname(require.resolve('pdfjs-dist/package.json'));
    } catch {
      throw new Error(`pdf.js's CMaps and standard fonts are missing: neither ${bundled} nor pdfjs-dist in node_modules`);
    }
  }
  return { cMapUrl: path.join(root, 'cmaps') + path.sep, standardFontDataUrl: path.join(root, 'standard_fonts') + path.sep };
}

/** Runs of one page as the layout module takes them. */
function runsOf(items: readonly TextItem[], styles: Record<string, { fontFamily?: string }>): TextRun[] {
  return items.map((i) => {
    const [a, b, c, d, x, y] = i.transform;
    const size = Math.hypot(c, d) || Math.hypot(a, b) || Math.abs(i.height) || 10;
    return { str: i.str, x, y, width: i.width, size, mono: styles[i.fontName]?.fontFamily === 'monospace' };
  });
}

/**
 * The text of a PDF as a reader reads it: pdf.js gives the text runs and their positions, and
 * pdf-layout.ts turns them into clean text (reading order, no running headers, footers or page
 * numbers, hyphenation resolved, a trailing reference list set aside).
 */
export async function extractPdf(bytes: Uint8Array, limits: ExtractionLimits, now: () => number = Date.now): Promise<Extraction> {
  const deadline = now() + limits.maxSeconds * 1000;
  let doc;
  try {
    // pdf.js takes ownership of the buffer it is given: hand it a copy. No eval (CVE-2024-4367).
    doc = await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, useSystemFonts: false, disableFontFace: true, verbosity: 0, cMapPacked: true, ...pdfjsDataDirs() }).promise;
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
    const pages: LayoutPage[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      if (now() > deadline) {
        return { ok: false, format: 'pdf', reason: `extracting the PDF took longer than ${limits.maxSeconds} s (limit maxSeconds) at page ${n} of ${doc.numPages}` };
      }
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      pages.push({ runs: runsOf(content.items.filter((i) => 'str' in i) as unknown as TextItem[], content.styles) });
      page.cleanup();
    }
    const { text, references, removed } = layoutText(pages);
    if (text.trim() === '') {
      return {
        ok: false,
        format: 'pdf',
        reason: `the PDF has no extractable text in its ${doc.numPages} page${doc.numPages === 1 ? '' : 's'} (scanned images?): run OCR on it first`,
      };
    }
    const info = (await doc.getMetadata().catch(() => undefined))?.info as { Title?: unknown } | undefined;
    const title = typeof info?.Title === 'string' && info.Title.trim() !== '' ? info.Title.trim() : undefined;
    return { ok: true, format: 'pdf', text, characters: text.length, pages: doc.numPages, removed, ...(references ? { references } : {}), ...(title ? { title } : {}) };
  } finally {
    await doc.destroy();
  }
}

