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
    }
  | { readonly ok: false; readonly format?: DocumentFormat; readonly reason: string };

/** Bounds that keep extraction inside a Lambda function (and a CLI run) whatever the upload. */
export interface ExtractionLimits {
  /** Largest PDF, HTML or Word file extracted. */
  readonly maxBytes: number;
  readonly maxPages: number;
  /** Wall-clock budget for one document. */
  readonly maxSeconds: number;
}

/**
 * Measured with `npm run bench:extract` (see README, "Document formats"): a 300-page PDF
 * extracts in a few seconds in the Lambda bundle, so these leave room for the slowest uploads a
 * research team has while keeping a batch inside the invoker's timeout.
 */
export const DEFAULT_EXTRACTION_LIMITS: ExtractionLimits = { maxBytes: 100_000_000, maxPages: 3000, maxSeconds: 90 };
