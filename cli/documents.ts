import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import fg from 'fast-glob';
import { DocumentFormat, extractDocument, needsExtraction, SNIFF_BYTES, sniffFormat } from '../common/extract';
import { classifyDocument, wrapText } from '../common/payload';
import type { SubmissionKind } from '../common/submission';
import { Estimate, estimateProcessing } from './estimate';

/** A file named on the command line, ready to upload, or the reason it cannot be. */
export type PreparedDocument =
  | {
      readonly ok: true;
      readonly file: string;
      /** text: the file itself, as text/plain; payload: a JSON request (a .json file, or text wrapped with --param). */
      readonly kind: SubmissionKind;
      /** sha256 of what is uploaded: the same content is the same request. */
      readonly contentId: string;
      readonly sizeBytes: number;
      /** The bytes to upload; for .json, read again as a stream when uploading. */
      readonly body: () => Buffer | fs.ReadStream;
      /** What the file is and what was extracted from it (absent for .json payloads). */
      readonly format?: DocumentFormat;
      readonly pages?: number;
      readonly characters?: number;
      readonly title?: string;
      /** How long the endpoint would work on it (absent for .json payloads). */
      readonly estimate?: Estimate;
    }
  | { readonly ok: false; readonly file: string; readonly reason: string };

/** A name on the command line that gave no file, and why, in words a person uses. */
export interface Unmatched {
  readonly input: string;
  readonly reason: string;
}

/**
 * Expands files, folders (every file below them) and glob patterns. Names that match nothing
 * are kept and reported as problems, never dropped.
 */
export async function expandInputs(inputs: readonly string[]): Promise<{ files: string[]; unmatched: Unmatched[] }> {
  const files: string[] = [];
  const unmatched: Unmatched[] = [];
  for (const input of inputs) {
    let matches: string[];
    let reason: string;
    if (fs.existsSync(input) && fs.statSync(input).isDirectory()) {
      matches = await fg('**/*', { cwd: input, absolute: true, onlyFiles: true, dot: false });
      reason = `no documents in ${input} (looked for every file below it, hidden files excluded)`;
    } else if (fs.existsSync(input)) {
      matches = [path.resolve(input)];
      reason = '';
    } else if (fg.isDynamicPattern(input)) {
      matches = await fg(input, { absolute: true, onlyFiles: true });
      reason = `no file matches the pattern ${input}`;
    } else {
      matches = [];
      reason = 'no such file or folder';
    }
    if (matches.length === 0) unmatched.push({ input, reason });
    files.push(...matches.sort());
  }
  return { files: [...new Set(files)], unmatched };
}

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Largest .json payload we parse to check it before uploading; bigger ones go as they are. */
const MAX_VALIDATED_JSON_BYTES = 50_000_000;

/**
 * Whether a local file can be sent at all, as the pipeline decides for an upload from its name and
 * size (common/payload `classifyDocument`): readable, not empty, within the async limit; and
 * whether it is a .json request payload or a document.
 */
export function classifyFile(file: string): { ok: true; size: number; kind: 'payload' | 'document' } | { ok: false; reason: string } {
  let size: number;
  try {
    size = fs.statSync(file).size;
    fs.accessSync(file, fs.constants.R_OK);
  } catch (e) {
    return { ok: false, reason: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  const classification = classifyDocument(path.basename(file), size);
  return classification.ok ? { ok: true, size, kind: classification.kind } : classification;
}

/**
 * Prepares a file the way the pipeline treats an upload (common/payload, common/extract,
 * common/submission): its content decides its format; PDF, HTML and Word documents are
 * extracted here with the pipeline's own module, and the text goes as it is (`text/plain`; the
 * model handler applies the deployment's defaults), unless generation parameters are given,
 * which only a JSON request can carry, so the text is then wrapped; .json is a payload already.
 * Every refusal says why.
 */
export async function prepareDocument(file: string, parameters: Readonly<Record<string, unknown>>): Promise<PreparedDocument> {
  const classification = classifyFile(file);
  if (!classification.ok) return { ok: false, file, reason: classification.reason };
  const { size } = classification;

  if (classification.kind === 'payload') {
    if (size <= MAX_VALIDATED_JSON_BYTES) {
      try {
        JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (e) {
        return { ok: false, file, reason: `not valid JSON (${(e as Error).message})` };
      }
    }
    return { ok: true, file, kind: 'payload', contentId: await sha256OfFile(file), sizeBytes: size, body: () => fs.createReadStream(file) };
  }

  const bytes = fs.readFileSync(file);
  const sniffed = sniffFormat(bytes.subarray(0, SNIFF_BYTES), path.basename(file));
  if (!sniffed.ok) return { ok: false, file, reason: sniffed.reason };
  const extraction = await extractDocument(bytes, sniffed.format);
  if (!extraction.ok) return { ok: false, file, reason: extraction.reason };
  const wrap = Object.keys(parameters).length > 0;
  // Plain text goes byte for byte (as the pipeline's server-side copy would); extracted text as UTF-8.
  const text = needsExtraction(sniffed.format) ? Buffer.from(extraction.text, 'utf8') : bytes;
  const upload = wrap ? Buffer.from(wrapText(extraction.text, parameters), 'utf8') : text;
  return {
    ok: true,
    file,
    kind: wrap ? 'payload' : 'text',
    contentId: createHash('sha256').update(upload).digest('hex'),
    sizeBytes: upload.length,
    body: () => upload,
    format: extraction.format,
    characters: extraction.characters,
    ...(extraction.pages !== undefined ? { pages: extraction.pages } : {}),
    ...(extraction.title ? { title: extraction.title } : {}),
    estimate: estimateProcessing(extraction.text),
  };
}
