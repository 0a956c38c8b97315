import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { htmlToText, tidy } from './html-text';
import type { Extraction, Removals } from './types';

type Element = { nodeName: string; remove(): void; textContent: string | null; getAttribute(name: string): string | null; closest(selector: string): Element | null };
type Document = { querySelectorAll(selector: string): ArrayLike<Element>; querySelector(selector: string): Element | null };

/** Cookie and consent banners: by the names consent tools give them. */
const CONSENT = '[id*="cookie" i], [class*="cookie" i], [id*="consent" i], [class*="consent" i], [id*="gdpr" i], [class*="gdpr" i], [aria-label*="cookie" i], [aria-label*="consent" i]';
/** Elements that may be hidden (isHidden decides). */
const MAYBE_HIDDEN = '[hidden], [aria-hidden="true"], [style], dialog:not([open])';
const INVISIBLE_STYLE = /(^|;)\s*(display\s*:\s*none|visibility\s*:\s*hidden)\s*(!important)?\s*(;|$)/i;

/**
 * What a reader never sees: the `hidden` attribute, `aria-hidden="true"`, an inline `display:none`
 * or `visibility:hidden`, and a `<dialog>` that is not open (an mdBook help dialog, a search box).
 */
const isHidden = (element: Element) =>
  element.getAttribute('hidden') !== null ||
  element.getAttribute('aria-hidden') === 'true' ||
  (element.nodeName.toLowerCase() === 'dialog' && element.getAttribute('open') === null) ||
  INVISIBLE_STYLE.test(element.getAttribute('style') ?? '');
/** Heading permalinks: Sphinx's ¶ (a.headerlink), GitHub's and mdBook's # anchors, 🔗 and § marks. */
const PERMALINK_TEXT = /^\s*[¶#§🔗]?\s*$/u;
/** Where a site menu lives: a heading there is not the page's. */
const MENU = 'nav, header, footer, aside, [role="navigation"], [role="banner"], [role="contentinfo"]';
/** Parts of a page that are never the article, removed before the fallback below. */
const CHROME = `script, style, noscript, template, form, iframe, [aria-modal="true"], ${MENU}`;

/** Never the article, and costly for Readability to score: gone before it runs. */
const NEVER_ARTICLE = 'script, style, noscript, template, svg, nav, [role="navigation"]';

/**
 * Makes the page cheaper to read without changing its text: Readability reads every element's
 * textContent (linkedom walks the subtree each time), so elements that can never be the article go
 * first, and a code block's highlighting spans (one per token) become the plain text they show.
 * Profiled on makeRealWorldHtml: these spans and menus were most of the elements.
 */
function simplify(document: Document): void {
  for (const element of Array.from(document.querySelectorAll(NEVER_ARTICLE))) element.remove();
  for (const pre of Array.from(document.querySelectorAll('pre')) as unknown as Array<{ textContent: string | null }>) pre.textContent = pre.textContent ?? '';
  // A <span> only styles the text it holds (Readability scores blocks, never spans): keep the text, drop the element.
  for (const span of Array.from(document.querySelectorAll('span')) as unknown as Array<{ replaceWith(...nodes: unknown[]): void; childNodes: ArrayLike<unknown> }>) {
    span.replaceWith(...Array.from(span.childNodes));
  }
}

/** Elements a page uses to say "this is the article", most specific first. */
const ARTICLE_MARKERS = ['[itemprop="articleBody"]', 'article', '[role="main"]', 'main'];
/** Inside the marked article, what is still not the article. */
const INNER_CHROME = 'nav, aside, footer, form, button, [role="navigation"], [role="complementary"], [role="contentinfo"], [role="search"]';

/**
 * The text of the one element the page marks as its article, or undefined when there is no single
 * such element (several <article> teasers, or none) or it holds too little text to be sure.
 * Documentation and news sites mark their content this way; reading it directly is what a reader
 * view ends up with, at a fraction of Readability's cost (profiled: Readability was 70 % of the
 * time on a documentation page, reading every element's text repeatedly).
 */
function markedArticle(document: Document): string | undefined {
  for (const selector of ARTICLE_MARKERS) {
    const found = Array.from(document.querySelectorAll(selector));
    if (found.length === 0) continue;
    if (found.length > 1) return undefined;
    const element = found[0] as Element & { querySelectorAll(selector: string): ArrayLike<Element>; innerHTML: string };
    for (const chrome of Array.from(element.querySelectorAll(INNER_CHROME))) chrome.remove();
    const text = htmlToText(element.innerHTML);
    return text.length >= 200 ? text : undefined;
  }
  return undefined;
}

/** Removes what no reader sees or wants from a parsed page, and counts it. */
function removeNoise(document: Document): Required<Pick<Removals, 'hiddenElements' | 'consentBanners' | 'permalinks'>> {
  let hiddenElements = 0;
  for (const element of Array.from(document.querySelectorAll(MAYBE_HIDDEN))) {
    if (!isHidden(element)) continue;
    element.remove();
    hiddenElements++;
  }
  let consentBanners = 0;
  for (const element of Array.from(document.querySelectorAll(CONSENT))) {
    // A banner is small; an article that merely mentions cookies in a class name is not one.
    if ((element.textContent ?? '').length > 2000) continue;
    element.remove();
    consentBanners++;
  }
  let permalinks = 0;
  for (const anchor of Array.from(document.querySelectorAll('a.headerlink, a.anchor, a.header, a[href^="#"]'))) {
    const inHeading = anchor.closest('h1, h2, h3, h4, h5, h6, dt') !== null;
    if (!PERMALINK_TEXT.test(anchor.textContent ?? '') || !(inHeading || /headerlink|anchor/.test(anchor.getAttribute('class') ?? ''))) continue;
    anchor.remove();
    permalinks++;
  }
  return { hiddenElements, consentBanners, permalinks };
}

/** The page's headline: its own `<h1>` (not one in a site menu), then `og:title`, then `<title>`. */
function titleOf(document: Document): string | undefined {
  for (const h1 of Array.from(document.querySelectorAll('h1'))) {
    const text = tidy(h1.textContent ?? '').replace(/\s+/g, ' ');
    if (text !== '' && h1.closest(MENU) === null) return text;
  }
  const og = document.querySelector('meta[property="og:title"]')?.getAttribute('content')?.trim();
  if (og) return og;
  return document.querySelector('title')?.textContent?.trim() || undefined;
}

/**
 * The main text of an HTML page as a reader view shows it: the article, not menus, footers,
 * scripts, consent banners, hidden dialogs or permalink marks; code blocks with their lines, list
 * items with their text; the headline as title. The article is the one element the page marks as
 * such, or else what Mozilla Readability (Firefox's reader view, on a linkedom DOM) finds; a page
 * with neither (too short, or not article-shaped) falls back to its body without navigation,
 * headers, footers and banners.
 */
export function extractHtml(html: string): Extraction {
  const { document } = parseHTML(html);
  const removed = removeNoise(document as unknown as Document);
  const title = titleOf(document as unknown as Document);
  simplify(document as unknown as Document);
  // Readability changes the document it reads: the fallback needs the page as it was, less the noise.
  const cleaned = (document as unknown as { toString(): string }).toString();
  let text = markedArticle(document as unknown as Document) ?? '';
  if (text === '') {
    const article = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0], { charThreshold: 200 }).parse();
    text = article?.content ? htmlToText(article.content) : '';
  }
  if (text.length < 200) {
    // Too short to be sure Readability found the article: take the page without its chrome.
    const { document: page } = parseHTML(cleaned);
    for (const element of Array.from(page.querySelectorAll(CHROME)) as Array<{ remove(): void }>) element.remove();
    const body = page.querySelector('body');
    const fallback = body ? htmlToText(body.innerHTML) : tidy(page.documentElement?.textContent ?? '');
    if (fallback !== '') text = fallback;
  }
  if (text.trim() === '') return { ok: false, format: 'html', reason: 'the HTML page has no readable text' };
  const withTitle = title && !text.startsWith(title) ? `${title}\n\n${text}` : text;
  return { ok: true, format: 'html', text: withTitle, characters: withTitle.length, removed, ...(title ? { title } : {}) };
}
