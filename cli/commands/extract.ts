import * as fs from 'fs';
import * as path from 'path';
import { type DocumentFormat, type Extraction, extractDocument, type Removals, SNIFF_BYTES, sniffFormat } from '../../common/extract';
import { classifyFile, type Unmatched } from '../documents';

/**
 * `summarizer extract`: exactly the text that would be summarized, from the same module the
 * pipeline's invoker and `submit` use (common/extract), with what was taken out of it. No AWS call.
 */

export interface ExtractIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** What extraction removed or set aside, in words; empty when it removed nothing. */
export function describeRemovals(removed: Removals | undefined): string[] {
  if (!removed) return [];
  const parts: string[] = [];
  if (removed.runningLines) parts.push(plural(removed.runningLines, 'running header/footer line'));
  if (removed.pageNumbers) parts.push(plural(removed.pageNumbers, 'page number'));
  if (removed.hiddenElements) parts.push(plural(removed.hiddenElements, 'hidden element'));
  if (removed.consentBanners) parts.push(plural(removed.consentBanners, 'consent banner'));
  if (removed.permalinks) parts.push(plural(removed.permalinks, 'permalink mark'));
  if (removed.hyphenationsJoined) parts.push(`${plural(removed.hyphenationsJoined, 'word')} rejoined at line-end hyphens`);
  if (removed.footnotes) parts.push(`${plural(removed.footnotes, 'footnote')} moved to the end`);
  if (removed.references) parts.push(`the "${removed.references.heading}" section (${plural(removed.references.characters, 'character')}) set aside, not summarized`);
  return parts;
}

/** A name under `dir` for `file`'s text that no earlier file of this run took. */
function outputName(dir: string, file: string, taken: Set<string>): string {
  const base = path.basename(file).replace(/\.[^.]+$/, '') || 'document';
  let name = `${base}.txt`;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}.txt`;
  taken.add(name);
  return path.join(dir, name);
}

/**
 * Extracts each file. Without `outDir` the text goes to stdout (under a `==> file <==` line when
 * there are several); with it, to `<outDir>/<name>.txt`, and a set-aside reference section to
 * `<name>.references.txt`. One line per file on stderr says what was read and removed.
 * Returns the exit code: 1 when any file was refused.
 */
export async function extractFiles(files: readonly string[], unmatched: readonly Unmatched[], outDir: string | undefined, io: ExtractIo): Promise<number> {
  let exitCode = unmatched.length > 0 ? 1 : 0;
  for (const { input, reason } of unmatched) io.stderr(`${input}: ${reason}\n`);
  if (outDir) fs.mkdirSync(outDir, { recursive: true });
  const taken = new Set<string>();
  for (const file of files) {
    const extraction = await extractFile(file);
    if (!extraction.ok) {
      io.stderr(`${file}: refused: ${extraction.reason}\n`);
      exitCode = 1;
      continue;
    }
    const removed = describeRemovals(extraction.removed);
    const what = [formatLabel(extraction.format), extraction.pages !== undefined ? plural(extraction.pages, 'page') : undefined, `${plural(extraction.characters, 'character')} to summarize`];
    let destination = '';
    if (outDir) {
      const target = outputName(outDir, file, taken);
      fs.writeFileSync(target, extraction.text);
      if (extraction.references) fs.writeFileSync(target.replace(/\.txt$/, '.references.txt'), extraction.references);
      destination = ` → ${target}`;
    } else {
      if (files.length > 1) io.stdout(`==> ${file} <==\n`);
      io.stdout(`${extraction.text}\n${files.length > 1 ? '\n' : ''}`);
    }
    io.stderr(`${file}: ${what.filter(Boolean).join(', ')}${removed.length ? `; removed: ${removed.join(', ')}` : ''}${destination}\n`);
  }
  return exitCode;
}

/**
 * A file's text as the pipeline would summarize it, or why it would be refused: the same checks
 * as `submit` (readable, not empty, within the async limit), then common/extract. A .json request
 * payload goes to the model as it is, so its text is itself.
 */
async function extractFile(file: string): Promise<Extraction> {
  const classified = classifyFile(file);
  if (!classified.ok) return classified;
  const bytes = new Uint8Array(fs.readFileSync(file));
  if (classified.kind === 'payload') return extractDocument(bytes, 'text');
  const sniffed = sniffFormat(bytes.subarray(0, SNIFF_BYTES), path.basename(file));
  return sniffed.ok ? extractDocument(bytes, sniffed.format) : sniffed;
}

const formatLabel = (format: DocumentFormat) => ({ pdf: 'PDF', html: 'HTML', docx: 'Word', markdown: 'Markdown', text: 'text' })[format];
