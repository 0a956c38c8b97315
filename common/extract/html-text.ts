import { parseHTML } from 'linkedom';

/** Elements that end a line of text (the rest flow inline). */
const BLOCKS = new Set([
  'address', 'article', 'aside', 'blockquote', 'dd', 'div', 'dl', 'dt', 'figcaption', 'figure', 'footer', 'form',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'table',
  'tbody', 'thead', 'tfoot', 'tr', 'ul',
]);
/** Blocks set apart by a blank line; the other blocks end a line. */
const PARAGRAPHS = /^h\d$|^p$|^blockquote$|^pre$|^table$|^[ou]l$/;
const SKIP = new Set(['script', 'style', 'noscript', 'template', 'svg', 'iframe', 'button', 'select', 'input', 'textarea']);

interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
  parentNode?: DomNode | null;
}

/** Where a node sits: inside a table cell blocks flow as one line; inside `<pre>` text keeps its lines. */
interface Context {
  readonly inCell: boolean;
  readonly inPre: boolean;
}

/**
 * Plain text of an HTML fragment as a reader sees it: paragraphs and headings separated by a
 * blank line; list items as "- item" (or "1. item" in ordered lists) with their text, whatever
 * blocks they hold; a table row per line with its cells joined by tabs; code blocks (`<pre>`)
 * with their line breaks; white space elsewhere collapsed.
 */
export function htmlToText(html: string): string {
  const { document } = parseHTML(`<!doctype html><html><body>${html}</body></html>`);
  const out: string[] = [];
  walk(document.body as unknown as DomNode, out, { inCell: false, inPre: false });
  // A list item whose text sits in a paragraph: the marker and the text on one line.
  return tidy(out.join('').replace(/(^|\n)((?:- |\d+\. )+)\s*\n+/g, '$1$2'));
}

function walk(node: DomNode, out: string[], context: Context): void {
  if (node.nodeType === 3) {
    const text = node.textContent ?? '';
    out.push(context.inPre ? text : text.replace(/\s+/g, ' '));
    return;
  }
  if (node.nodeType !== 1) return;
  const tag = node.nodeName.toLowerCase();
  if (SKIP.has(tag)) return;
  if (tag === 'br') {
    out.push(context.inCell ? ' ' : '\n');
    return;
  }
  const block = BLOCKS.has(tag);
  const breakText = context.inCell ? ' ' : PARAGRAPHS.test(tag) ? '\n\n' : '\n';
  if (block) out.push(breakText);
  if (tag === 'li') {
    const parent = node.parentNode;
    const ordered = parent?.nodeName.toLowerCase() === 'ol';
    const index = ordered ? Array.from(parent!.childNodes).filter((n) => n.nodeName.toLowerCase() === 'li').indexOf(node) + 1 : 0;
    out.push(ordered ? `${index}. ` : '- ');
  }
  const cell = tag === 'td' || tag === 'th';
  if (cell) out.push('\t');
  const inner: Context = { inCell: context.inCell || cell, inPre: context.inPre || tag === 'pre' };
  for (const child of Array.from(node.childNodes)) walk(child, out, inner);
  // A list item or a table row ends where the next begins: consecutive, one per line.
  if (block && tag !== 'li' && tag !== 'tr') out.push(breakText);
}

/** Trims every line, drops spaces around line breaks, and keeps at most one blank line in a row. */
export function tidy(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, (m) => (m.includes('\t') ? '\t' : ' ')).trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
