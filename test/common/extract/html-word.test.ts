import { extractDocument, Extraction } from '../../../common/extract';
import { htmlToText } from '../../../common/extract/html-text';
import { makeDocx } from '../../helpers/documents';

async function extractHtml(html: string): Promise<Extract<Extraction, { ok: true }>> {
  const result = await extractDocument(new TextEncoder().encode(html), 'html');
  if (!result.ok) throw new Error(result.reason);
  return result;
}

const article = (n: number) =>
  Array.from({ length: n }, (_, i) => `<p>Paragraph ${i + 1}: grid operators reported that battery storage cut evening peaks by about a fifth, while the cost of new capacity fell for the third year running across the eleven regions surveyed.</p>`).join('\n');

const page = (body: string, head = '<title>Storage report | The Research Daily</title>') =>
  `<!doctype html><html><head>${head}</head><body><nav><h1>The Research Daily</h1><a href="/">Home</a></nav><main><article>${body}</article></main></body></html>`;

describe('HTML', () => {
  test('a consent banner inside a long article page is removed (not only in the short-page fallback)', async () => {
    const r = await extractHtml(page(`<h1>Storage report</h1><div class="cc-window" aria-label="cookieconsent">We use cookies to improve your experience. Accept all cookies?</div>${article(12)}`));
    expect(r.text).not.toMatch(/cookies/i);
    expect(r.text).toContain('Paragraph 12');
    expect(r.removed?.consentBanners).toBe(1);
  });

  test('hidden elements go: a closed dialog, hidden, aria-hidden and display:none; an open dialog stays', async () => {
    const r = await extractHtml(
      page(`<h1>Storage report</h1>
        <dialog id="help"><h2>Keyboard shortcuts</h2><p>Press ? to show this help. Press S to search.</p></dialog>
        <div hidden>HIDDEN-ATTRIBUTE</div><span aria-hidden="true">ARIA-HIDDEN</span><div style="color: red; display: none">DISPLAY-NONE</div>
        <div style="display:block">Shown by its style.</div>
        <dialog open><p>An open dialog is on screen.</p></dialog>
        ${article(8)}`),
    );
    expect(r.text).not.toMatch(/Keyboard shortcuts|HIDDEN-ATTRIBUTE|ARIA-HIDDEN|DISPLAY-NONE/);
    expect(r.text).toContain('Shown by its style.');
    expect(r.removed?.hiddenElements).toBe(4);
  });

  test('permalink marks (Sphinx ¶, # anchors) are removed from headings', async () => {
    const r = await extractHtml(page(`<h1>Storage report<a class="headerlink" href="#storage-report">¶</a></h1><h2 id="m">Method <a href="#m">#</a></h2>${article(8)}<p>See <a href="#m">the method</a>.</p>`));
    expect(r.text).not.toMatch(/[¶]|Method #/);
    expect(r.text).toContain('\nMethod\n');
    expect(r.text).toContain('See the method.');
    expect(r.removed?.permalinks).toBe(2);
  });

  test('code blocks keep their line breaks, so a comment does not swallow the code after it', async () => {
    const r = await extractHtml(page(`<h1>Storage report</h1>${article(6)}<pre><code>// set up the meter\nlet reading = meter.read();\nreport(reading);</code></pre>`));
    expect(r.text).toContain('// set up the meter\nlet reading = meter.read();\nreport(reading);');
  });

  test('list items that hold paragraphs keep their text on the marker line (a loose list keeps its blank lines)', () => {
    expect(htmlToText('<ul><li><p>First finding.</p></li><li><p>Second finding.</p><p>More on it.</p></li></ul><ol><li><p>Step one.</p></li></ol>')).toBe(
      '- First finding.\n\n- Second finding.\n\nMore on it.\n\n1. Step one.',
    );
  });

  test.each([
    ['the page\'s own <h1>, not the site menu\'s', page(`<h1>Storage report</h1>${article(6)}`), 'Storage report'],
    ['og:title when the page has no <h1> of its own', page(article(6), '<title>Site | Home</title><meta property="og:title" content="Storage prices fall">'), 'Storage prices fall'],
    ['<title> when there is neither', `<!doctype html><html><head><title>Plain page</title></head><body>${article(6)}</body></html>`, 'Plain page'],
  ])('the title is %s', async (_name, html, title) => {
    const r = await extractHtml(html);
    expect(r.title).toBe(title);
    expect(r.text.startsWith(`${title}\n\n`)).toBe(true);
  });
});

describe('Word', () => {
  test('table rows are lines with their cells joined by tabs; footnotes move to the end under Notes, their markers gone', async () => {
    const docx = await makeDocx({
      title: 'Grid notes',
      paragraphs: ['Storage cut the evening peak.', 'Prices fell.'],
      bullets: ['Costs fell'],
      heading: 'Next',
      closing: 'More in June.',
      table: [
        ['Region', 'Capacity'],
        ['North', '12 GW'],
      ],
      footnote: 'Source: operator survey, 2026.',
    });
    const r = await extractDocument(docx, 'docx');
    if (!r.ok) throw new Error(r.reason);
    expect(r.text).toContain('Storage cut the evening peak.\n\nPrices fell.');
    expect(r.text).toContain('Region\tCapacity\nNorth\t12 GW');
    expect(r.text).not.toMatch(/\[1\]|↑/);
    expect(r.text.endsWith('Notes\n\n1. Source: operator survey, 2026.')).toBe(true);
    expect(r.removed).toEqual({ footnotes: 1 });
  });
});
