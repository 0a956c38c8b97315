import { parseHTML } from 'linkedom';

/** Elements that end a line of text (the rest flow inline). */
const BLOCKS = new Set([
  'address', 'article', 'aside', 'blockquote', 'dd', 'div', 'dl', 'dt', 'figcaption', 'figure', 'footer', 'form',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'table',
  'tbody', 'thead', 'tfoot', 'tr', 'ul',
]);
const SKIP = new Set(['script', 'style', 'noscript', 'template', 'svg', 'iframe', 'button', 'select', 'input', 'textarea']);

interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
  parentNode?: DomNode | null;
}

/**
 * Plain text of an HTML fragment as a reader sees it: paragraphs and headings separated by a
 * blank line, list items as "- item" (or "1. item" in ordered lists), table cells separated by
 * tabs, white space collapsed.
 */
export function htmlToText(html: string): string {
  const { document } = parseHTML(`<!doctype html><html><body>${html}</body></html>`);
  const out: string[] = [];
  walk(document.body as unknown as DomNode, out);
  return tidy(out.join(''));
}

function walk(node: DomNode, out: string[]): void {
  if (node.nodeType === 3) {
    out.push((node.textContent ?? '').replace(/\s+/g, ' '));
    return;
  }
  if (node.nodeType !== 1) return;
  const tag = node.nodeName.toLowerCase();
  if (SKIP.has(tag)) return;
  if (tag === 'br') {
    out.push('\n');
    return;
  }
  const block = BLOCKS.has(tag);
  if (block) out.push(/^h\d$|^p$|^blockquote$|^pre$|^table$|^[ou]l$/.test(tag) ? '\n\n' : '\n');
  if (tag === 'li') {
    const parent = node.parentNode;
    const ordered = parent?.nodeName.toLowerCase() === 'ol';
    const index = ordered ? Array.from(parent!.childNodes).filter((n) => n.nodeName.toLowerCase() === 'li').indexOf(node) + 1 : 0;
    out.push(ordered ? `${index}. ` : '- ');
  }
  if (tag === 'td' || tag === 'th') out.push('\t');
  for (const child of Array.from(node.childNodes)) walk(child, out);
  if (block && tag !== 'li') out.push(/^h\d$|^p$|^blockquote$|^pre$|^table$|^[ou]l$/.test(tag) ? '\n\n' : '\n');
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
