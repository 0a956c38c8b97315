import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { htmlToText, tidy } from './html-text';
import type { Extraction } from './types';

/** Parts of a page that are never the article, removed before the fallback below. */
const CHROME = 'script, style, noscript, template, nav, header, footer, aside, form, iframe, [role="navigation"], [role="banner"], [role="contentinfo"], [aria-modal="true"], [id*="cookie" i], [class*="cookie" i], [id*="consent" i], [class*="consent" i]';

/**
 * The main text of an HTML page as Firefox's reader view shows it (Mozilla Readability on a
 * linkedom DOM): the article, not menus, footers, scripts or cookie banners; the page title
 * kept. A page Readability finds no article in (too short, or not article-shaped) falls back to
 * its body without navigation, headers, footers and banners.
 */
export function extractHtml(html: string): Extraction {
  const { document } = parseHTML(html);
  const pageTitle = document.querySelector('title')?.textContent?.trim() || undefined;
  const heading = document.querySelector('h1')?.textContent?.trim() || undefined;
  // Readability changes the document it reads; the fallback parses the page again.
  const article = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0], { charThreshold: 200 }).parse();
  let text = article?.content ? htmlToText(article.content) : '';
  if (text.length < 200) {
    // Too short to be sure Readability found the article: take the page without its chrome.
    const { document: page } = parseHTML(html);
    for (const element of Array.from(page.querySelectorAll(CHROME)) as Array<{ remove(): void }>) element.remove();
    const body = page.querySelector('body');
    const fallback = body ? htmlToText(body.innerHTML) : tidy(page.documentElement?.textContent ?? '');
    if (fallback !== '') text = fallback;
  }
  // "Headline | Site name": the headline, when the page's own h1 says which part it is.
  const candidate = article?.title?.trim() || pageTitle;
  const title = heading && candidate?.includes(heading) ? heading : candidate;
  if (text.trim() === '') return { ok: false, format: 'html', reason: 'the HTML page has no readable text' };
  const withTitle = title && !text.startsWith(title) ? `${title}\n\n${text}` : text;
  return { ok: true, format: 'html', text: withTitle, characters: withTitle.length, ...(title ? { title } : {}) };
}
