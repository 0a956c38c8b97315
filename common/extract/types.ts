/** What a document is, decided by its content first and its name second. */
export type DocumentFormat = 'text' | 'markdown' | 'pdf' | 'html' | 'docx';

/** The text a human reads in a document, or why there is none to summarize. */
export type Extraction =
  | {
      readonly ok: true;
      readonly format: DocumentFormat;
      /** Clean UTF-8 text: paragraphs separated by a blank line. */
      readonly text: string;
      readonly characters: number;
      /** PDF only. */
      readonly pages?: number;
      readonly title?: string;
      /** What was taken out as noise, and what was set aside (`summarizer extract` reports it). */
      readonly removed?: Removals;
      /** A trailing reference section, kept apart from `text` (which is what gets summarized). */
      readonly references?: string;
    }
  | { readonly ok: false; readonly format?: DocumentFormat; readonly reason: string };

/** Counts of what extraction took out of a document; absent counts are zero. */
export interface Removals {
  /** PDF: running header and footer lines. */
  readonly runningLines?: number;
  /** PDF: page number lines. */
  readonly pageNumbers?: number;
  /** PDF: words broken at a line end and rejoined. */
  readonly hyphenationsJoined?: number;
  /** PDF: the trailing reference section set aside. */
  readonly references?: { readonly heading: string; readonly characters: number };
  /** HTML: hidden elements (hidden, aria-hidden, display:none, a closed dialog). */
  readonly hiddenElements?: number;
  /** HTML: cookie and consent banners. */
  readonly consentBanners?: number;
  /** HTML: permalink anchors (¶, #). */
  readonly permalinks?: number;
  /** Word: footnotes moved to the end. */
  readonly footnotes?: number;
}

/** Bounds that keep extraction inside a Lambda function (and a CLI run) whatever the upload. */
export interface ExtractionLimits {
  /** Largest PDF or Word file extracted. */
  readonly maxBytes: number;
  /** Largest HTML page extracted: a DOM costs about 60 bytes of memory per byte of HTML (measured). */
  readonly maxHtmlBytes: number;
  readonly maxPages: number;
  /** Wall-clock budget for one document. */
  readonly maxSeconds: number;
  /** Entries of a Word document's ZIP archive (a real one has a few dozen). */
  readonly maxDocxEntries: number;
  /** What a Word document's entries may inflate to in all: its compressed size says nothing (a ZIP bomb). */
  readonly maxDocxUncompressedBytes: number;
}

/**
 * Measured with `npm run bench:extract` in the Lambda bundle (README, "Document formats"): a
 * 300-page PDF extracts in about 1.2 s at 140 MB peak, a 5 MB HTML page in about 1.1 s at 310 MB.
 * These bounds keep one document well inside the invoker's 2 GB and a batch of three inside its
 * 5-minute timeout.
 */
export const DEFAULT_EXTRACTION_LIMITS: ExtractionLimits = {
  maxBytes: 100_000_000,
  maxHtmlBytes: 10_000_000,
  maxPages: 3000,
  maxSeconds: 90,
  maxDocxEntries: 10_000,
  // mammoth holds the XML, a DOM of it and the HTML it writes: about 10× the XML (⚠ estimated), so
  // 128 MB inflated stays well inside the invoker's 2 GB.
  maxDocxUncompressedBytes: 128_000_000,
};

/** The byte limit for one format, and the name of the limit a refusal should cite. */
export function byteLimit(limits: ExtractionLimits, format: string): { bytes: number; name: string } {
  return format === 'html' ? { bytes: limits.maxHtmlBytes, name: 'maxHtmlBytes' } : { bytes: limits.maxBytes, name: 'maxBytes' };
}

/** Where the invoker's bundle keeps pdf.js's CMaps and standard fonts, next to its code. */
export const PDFJS_DATA_DIR = 'pdfjs-data';
