import mammoth from 'mammoth';
import { parseHTML } from 'linkedom';
import { htmlToText } from './html-text';
import type { Extraction, ExtractionLimits } from './types';
import { zipBoundsProblem } from './zip-bounds';

/**
 * Footnotes and endnotes as mammoth writes them: a `<sup><a id="footnote-ref-N">[N]</a></sup>`
 * marker in the text and an `<li id="footnote-N">` at the end with a `↑` link back. The markers
 * and links go; the notes follow the text under "Notes", so a summary reads the argument without
 * "[1]" in the middle of a sentence.
 */
type Node = { nodeName: string; parentNode: Node | null; innerHTML: string; remove(): void };

function moveNotesToEnd(html: string): { html: string; footnotes: number } {
  const { document } = parseHTML(`<!doctype html><html><body>${html}</body></html>`);
  const all = (selector: string) => Array.from(document.querySelectorAll(selector)) as unknown as Node[];
  for (const marker of all('a[id^="footnote-ref-"], a[id^="endnote-ref-"]')) {
    const sup = marker.parentNode;
    if (sup?.nodeName.toLowerCase() === 'sup') sup.remove();
    else marker.remove();
  }
  for (const back of all('a[href^="#footnote-ref-"], a[href^="#endnote-ref-"]')) back.remove();
  const notes = all('li[id^="footnote-"], li[id^="endnote-"]');
  for (const list of new Set(notes.map((n) => n.parentNode))) list?.remove();
  const body = document.body.innerHTML;
  if (notes.length === 0) return { html: body, footnotes: 0 };
  return { html: `${body}<h2>Notes</h2><ol>${notes.map((n) => `<li>${n.innerHTML}</li>`).join('')}</ol>`, footnotes: notes.length };
}

/** Body text of a Word document through mammoth's HTML: headings, lists, tables as rows, footnotes at the end. */
export async function extractDocx(bytes: Uint8Array, limits: ExtractionLimits): Promise<Extraction> {
  const problem = zipBoundsProblem(bytes, { maxEntries: limits.maxDocxEntries, maxUncompressedBytes: limits.maxDocxUncompressedBytes }, 'the Word document');
  if (problem) return { ok: false, format: 'docx', reason: problem };
  let converted: string;
  try {
    converted = (await mammoth.convertToHtml({ buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) })).value;
  } catch (e) {
    return { ok: false, format: 'docx', reason: `the Word document could not be read (${(e as Error).message})` };
  }
  const { html, footnotes } = moveNotesToEnd(converted);
  const text = htmlToText(html);
  if (text === '') return { ok: false, format: 'docx', reason: 'the Word document has no text' };
  const heading = /^<h1>(.*?)<\/h1>/.exec(html)?.[1];
  const title = heading ? htmlToText(heading) : undefined;
  return { ok: true, format: 'docx', text, characters: text.length, removed: { footnotes }, ...(title ? { title } : {}) };
}
