import { decodeUtf8 } from '../payload';
import { byteLimit, DEFAULT_EXTRACTION_LIMITS, DocumentFormat, Extraction, ExtractionLimits } from './types';

export * from './types';

/**
 * One extraction module for the pipeline's invoker and the CLI: a document in, the text a human
 * reads in it out. Libraries: Mozilla's pdf.js (pdfjs-dist) for PDF, Mozilla Readability on a
 * linkedom DOM for HTML, mammoth for Word .docx.
 */

/** How many leading bytes decide a document's format. */
export const SNIFF_BYTES = 4096;

export type Sniffed = { readonly ok: true; readonly format: DocumentFormat } | { readonly ok: false; readonly reason: string };

const startsWith = (b: Uint8Array, ...sig: number[]) => sig.every((v, i) => b[i] === v);
const ascii = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

/** Binary formats we can name, so the reason says what the file is. */
const KNOWN_BINARY: Array<[(b: Uint8Array) => boolean, string]> = [
  [(b) => startsWith(b, 0xd0, 0xcf, 0x11, 0xe0), 'a legacy Office file (.doc/.xls/.ppt): save it as .docx or PDF'],
  [(b) => startsWith(b, 0x89, 0x50, 0x4e, 0x47), 'a PNG image: run OCR on it or upload the text'],
  [(b) => startsWith(b, 0xff, 0xd8, 0xff), 'a JPEG image: run OCR on it or upload the text'],
  [(b) => ascii(b.subarray(0, 4)) === 'GIF8', 'a GIF image'],
  [(b) => startsWith(b, 0x1f, 0x8b), 'a gzip archive: unpack it and upload the documents'],
  [(b) => ascii(b.subarray(0, 5)) === '{\\rtf', 'an RTF document: save it as .docx or PDF'],
];

/**
 * The format of a document from its first bytes, and its name where the bytes allow more than
 * one reading: a PDF named `.txt` is a PDF, an HTML page named `.md` is HTML.
 */
export function sniffFormat(head: Uint8Array, name: string): Sniffed {
  const lower = name.toLowerCase();
  if (ascii(head.subarray(0, 1024)).includes('%PDF-')) return { ok: true, format: 'pdf' };
  if (startsWith(head, 0x50, 0x4b, 0x03, 0x04)) {
    if (lower.endsWith('.docx') || ascii(head).includes('word/')) return { ok: true, format: 'docx' };
    return { ok: false, reason: 'a ZIP archive that is not a Word .docx document' };
  }
  for (const [matches, what] of KNOWN_BINARY) if (matches(head)) return { ok: false, reason: `unsupported content: ${what}` };
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('utf8').replace(/^\uFEFF/, '').trimStart().toLowerCase();
  if (text.startsWith('<!doctype html') || text.startsWith('<html') || (/\.x?html?$/.test(lower) && text.startsWith('<'))) {
    return { ok: true, format: 'html' };
  }
  if (head.includes(0)) return { ok: false, reason: 'unsupported content: binary data, not text or a PDF, HTML or Word document' };
  return { ok: true, format: /\.(md|markdown)$/.test(lower) ? 'markdown' : 'text' };
}

/** Why a document is too large to extract, naming the limit. */
export function tooLarge(format: DocumentFormat, size: number, limits: ExtractionLimits): string {
  const limit = byteLimit(limits, format);
  return `the ${format.toUpperCase()} file is ${size} bytes; ${format.toUpperCase()} documents are extracted up to ${limit.bytes} bytes (limit ${limit.name})`;
}

/** True for formats whose text must be extracted before the model can read it. */
export const needsExtraction = (format: DocumentFormat) => format === 'pdf' || format === 'html' || format === 'docx';

/**
 * The libraries of each format (pdf.js, linkedom with Readability, mammoth with linkedom), loaded the first time a
 * document of that format is extracted: a text upload, or a CLI that only reads its arguments,
 * never pays for them.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const formatLibraries = {
  pdf: (): typeof import('./pdf') => require('./pdf'),
  html: (): typeof import('./html') => require('./html'),
  docx: (): typeof import('./docx') => require('./docx'),
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The text of a whole document of a known format. */
export async function extractDocument(bytes: Uint8Array, format: DocumentFormat, limits: ExtractionLimits = DEFAULT_EXTRACTION_LIMITS): Promise<Extraction> {
  const limit = byteLimit(limits, format);
  if (needsExtraction(format) && bytes.byteLength > limit.bytes) return { ok: false, format, reason: tooLarge(format, bytes.byteLength, limits) };
  switch (format) {
    case 'pdf':
      return formatLibraries.pdf().extractPdf(bytes, limits);
    case 'html': {
      const decoded = decodeUtf8(bytes);
      return decoded.ok ? formatLibraries.html().extractHtml(decoded.text) : { ok: false, format, reason: `the HTML page: ${decoded.reason}` };
    }
    case 'docx':
      return formatLibraries.docx().extractDocx(bytes, limits);
    default: {
      const decoded = decodeUtf8(bytes);
      return decoded.ok ? { ok: true, format, text: decoded.text, characters: decoded.text.length } : { ok: false, format, reason: decoded.reason };
    }
  }
}
