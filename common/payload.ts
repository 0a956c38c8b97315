/**
 * Request payload conventions shared by the ingestion Lambda and the CLI, so a document gets
 * the same treatment whichever way it was submitted.
 *
 * - `.json` files are request payloads already and are passed through untouched.
 * - Any other upload is a document whose content decides (common/extract): UTF-8 text is sent as
 *   it is (`text/plain`, by reference), PDF, HTML and Word documents as the text extracted from
 *   them, anything else is refused with a reason. A client that sets generation parameters
 *   wraps the text as `{"inputs": <text>, "parameters": {...}}` (`application/json`) instead.
 */

/** Async inference payload limit (1 GB). */
export const MAX_PAYLOAD_BYTES = 1_000_000_000;

/** The content type the HF handler needs, exactly (a `; charset=…` suffix breaks its decoder lookup). */
export const PAYLOAD_CONTENT_TYPE = 'application/json';

export const PAYLOAD_EXTENSIONS = ['.json'] as const;

/** payload: a JSON request, passed as it is; document: anything else, whose content decides (common/extract). */
export type DocumentKind = 'payload' | 'document';

export type Classification =
  | { readonly ok: true; readonly kind: DocumentKind }
  | { readonly ok: false; readonly reason: string };

/** Decides, from name and size alone, whether and how an upload can be submitted. */
export function classifyDocument(name: string, sizeBytes: number): Classification {
  if (sizeBytes === 0) return { ok: false, reason: 'empty file: there is nothing to summarize' };
  if (sizeBytes > MAX_PAYLOAD_BYTES) {
    return {
      ok: false,
      reason: `object is ${sizeBytes} bytes; asynchronous inference accepts at most ${MAX_PAYLOAD_BYTES} bytes (1 GB)`,
    };
  }
  const lower = name.toLowerCase();
  return { ok: true, kind: PAYLOAD_EXTENSIONS.some((e) => lower.endsWith(e)) ? 'payload' : 'document' };
}

/** Decodes UTF-8 strictly: a document in another encoding would be summarized as mojibake. */
export function decodeUtf8(bytes: Uint8Array): { ok: true; text: string } | { ok: false; reason: string } {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
    if (text.trim() === '') return { ok: false, reason: 'the document contains only white space' };
    return { ok: true, text };
  } catch {
    return { ok: false, reason: 'the document is not valid UTF-8 text' };
  }
}

/**
 * The request payload for a text document with generation parameters of its own (the model
 * handler's `long_documents`, `chunk_tokens`, … and anything `generate()` takes).
 */
export function wrapText(text: string, parameters: Readonly<Record<string, unknown>> = {}): string {
  return JSON.stringify({ inputs: text, parameters });
}

/**
 * Extracts the summary from a model response: the summarization pipeline returns
 * `[{"summary_text": …}]`, text2text-generation `[{"generated_text": …}]`. Returns undefined
 * for any other shape (the caller keeps the raw response location instead).
 */
export function summaryFromResponse(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const first = Array.isArray(parsed) ? parsed[0] : parsed;
  if (first && typeof first === 'object') {
    const o = first as Record<string, unknown>;
    for (const field of ['summary_text', 'generated_text']) {
      if (typeof o[field] === 'string') return o[field] as string;
    }
  }
  return undefined;
}

/**
 * What the model handler (model/code/inference.py) reports about how much of a document it
 * read. Absent fields mean the response came from another handler.
 */
export interface SummaryDetails {
  readonly strategy?: string;
  readonly inputTokens?: number;
  readonly windows?: number;
  readonly rounds?: number;
  /** Only the first window was read (`truncate`). */
  readonly inputTruncated?: boolean;
  /** map-reduce stopped at its round bound and read only part of the window summaries. */
  readonly roundLimitReached?: boolean;
  /** map-reduce stopped because a round did not shrink the text; the last pass read only part of it. */
  readonly reduceStalled?: boolean;
}

/** The handler's report from a response body; {} when there is none. */
export function summaryDetailsFromResponse(body: string): SummaryDetails {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return {};
  }
  const first = (Array.isArray(parsed) ? parsed[0] : parsed) as Record<string, unknown> | undefined;
  if (!first || typeof first !== 'object') return {};
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const bool = (v: unknown) => (typeof v === 'boolean' ? v : undefined);
  const details: Record<string, unknown> = {
    strategy: typeof first.strategy === 'string' ? first.strategy : undefined,
    inputTokens: num(first.input_tokens),
    windows: num(first.windows),
    rounds: num(first.rounds),
    inputTruncated: bool(first.truncated),
    roundLimitReached: bool(first.round_limit_reached),
    reduceStalled: bool(first.reduce_stalled),
  };
  return Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined)) as SummaryDetails;
}

/** One line a researcher can trust: how much of the document the summary covers. */
export function describeCoverage(d: SummaryDetails): string | undefined {
  if (d.inputTokens === undefined) return undefined;
  const tokens = d.inputTokens.toLocaleString('en-US');
  if (d.inputTruncated) return `TRUNCATED: only the first window of ${tokens} tokens was read (strategy ${d.strategy ?? 'truncate'})`;
  const windows = `${d.windows ?? 1} window${d.windows === 1 ? '' : 's'}`;
  const rounds = `${d.rounds ?? 1} round${d.rounds === 1 ? '' : 's'}`;
  const bound = d.roundLimitReached
    ? '; ROUND LIMIT REACHED: the last pass read only part of the window summaries'
    : d.reduceStalled
      ? '; REDUCE STALLED: the window summaries did not shrink, the last pass read only part of them'
      : '';
  return `whole document: ${tokens} tokens, ${windows}, ${rounds}${bound}`;
}
