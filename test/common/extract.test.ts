import { DEFAULT_EXTRACTION_LIMITS, extractDocument, sniffFormat } from '../../common/extract';
import { makeDocx, makeEncryptedPdf, makeHtmlPage, makePdf } from '../helpers/documents';

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const body = (n: number) => [
  `Chapter ${n} opens with the findings of the grid storage survey, which covered eleven regions.`,
  'Operators reported that batteries shaved evening peaks by a fifth, while costs fell for the third',
  'year running. The report calls this trend durable, with one caveat about supply of lithium.',
];

describe('PDF', () => {
  test('body text in reading order across pages; running headers, footers and page numbers dropped', async () => {
    const pdf = await makePdf([1, 2, 3, 4].map((n) => ({ lines: body(n) })), {
      header: () => 'ACME Research Quarterly - Confidential',
      footer: (p, total) => `Page ${p} of ${total}`,
      title: 'Grid Storage Survey 2026',
    });
    const result = await extractDocument(pdf, 'pdf');
    if (!result.ok) throw new Error(result.reason);
    expect(result).toMatchObject({ format: 'pdf', pages: 4, title: 'Grid Storage Survey 2026' });
    for (const n of [1, 2, 3, 4]) expect(result.text).toContain(`Chapter ${n} opens with the findings`);
    expect(result.text.indexOf('Chapter 1')).toBeLessThan(result.text.indexOf('Chapter 2'));
    expect(result.text.indexOf('Chapter 3')).toBeLessThan(result.text.indexOf('Chapter 4'));
    expect(result.text).not.toContain('ACME Research Quarterly');
    expect(result.text).not.toMatch(/Page \d of 4/);
    expect(result.characters).toBe(result.text.length);
  });

  test('a word hyphenated across a line break is joined; a hyphen before a capital is kept', async () => {
    const pdf = await makePdf([{ lines: ['The committee discussed summa-', 'rization of long reports and the well-', 'Known issues list.'] }]);
    const result = await extractDocument(pdf, 'pdf');
    expect(result).toMatchObject({ ok: true, text: 'The committee discussed summarization of long reports and the well-Known issues list.' });
  });

  test('two columns read left column first, then right', async () => {
    const column = (side: string) => [`${side} column starts here.`, ...Array.from({ length: 10 }, (_, i) => `${side} column line ${i + 2}.`), `${side} column ends here.`];
    const pdf = await makePdf([{ lines: column('Left'), rightColumn: column('Right') }]);
    const result = await extractDocument(pdf, 'pdf');
    if (!result.ok) throw new Error(result.reason);
    const order = ['Left column starts', 'Left column ends', 'Right column starts', 'Right column ends'].map((s) => result.text.indexOf(s));
    expect(order.every((v, i) => v >= 0 && (i === 0 || v > order[i - 1]))).toBe(true);
  });

  test('accented Latin text survives', async () => {
    const pdf = await makePdf([{ lines: ['Straße, café, Ümlaut, naïve, señal, Øresund.'] }]);
    expect(await extractDocument(pdf, 'pdf')).toMatchObject({ ok: true, text: 'Straße, café, Ümlaut, naïve, señal, Øresund.' });
  });

  test.each([
    ['image-only (scanned) PDF', async () => makePdf([{ lines: [] }, { lines: [] }], { imageOnly: true }), /^the PDF has no extractable text in its 2 pages \(scanned images\?\): run OCR on it first$/],
    ['encrypted PDF', makeEncryptedPdf, /^the PDF is encrypted and needs a password to open/],
    ['corrupt PDF', async () => bytes('%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage without xref or trailer'), /^the PDF (is corrupt|has no extractable text|could not be read)/],
  ])('%s: FAILED with its own reason', async (_name, make, reason) => {
    const result = await extractDocument(await make(), 'pdf');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  test('limits: bytes, pages and time each give a reason naming the limit', async () => {
    const pdf = await makePdf([1, 2, 3].map((n) => ({ lines: body(n) })));
    expect(await extractDocument(pdf, 'pdf', { ...DEFAULT_EXTRACTION_LIMITS, maxBytes: 100 })).toMatchObject({ ok: false, reason: expect.stringMatching(/PDF documents are extracted up to 100 bytes \(limit maxBytes\)$/) });
    const page = new Uint8Array(Buffer.from(`<html><body><p>${'x'.repeat(500)}</p></body></html>`));
    expect(await extractDocument(page, 'html', { ...DEFAULT_EXTRACTION_LIMITS, maxHtmlBytes: 100 })).toMatchObject({ ok: false, reason: expect.stringMatching(/HTML documents are extracted up to 100 bytes \(limit maxHtmlBytes\)$/) });
    expect(await extractDocument(pdf, 'pdf', { ...DEFAULT_EXTRACTION_LIMITS, maxPages: 2 })).toMatchObject({ ok: false, reason: 'the PDF has 3 pages; at most 2 pages are extracted (limit maxPages)' });
    expect(await extractDocument(pdf, 'pdf', { ...DEFAULT_EXTRACTION_LIMITS, maxSeconds: -1 })).toMatchObject({ ok: false, reason: expect.stringContaining('(limit maxSeconds) at page 1 of 3') });
  });
});

describe('HTML', () => {
  const page = makeHtmlPage({
    title: 'Storage prices fall again',
    paragraphs: [
      'Battery storage prices fell for the third year running, according to a survey of eleven regional grid operators published on Tuesday.',
      'Operators said evening peaks were a fifth lower where batteries were installed, and that the savings reached households within a year. 東京の電力会社も同様の結果を報告した。',
      'التقرير السنوي يظهر نموا قويا في التخزين. The report warns that lithium supply remains the main risk 🔋 for the next two years.',
    ],
  });

  test('the article and its title, not navigation, cookie banners, scripts, asides or footers', async () => {
    const result = await extractDocument(bytes(page), 'html');
    if (!result.ok) throw new Error(result.reason);
    expect(result.title).toBe('Storage prices fall again');
    expect(result.text.startsWith('Storage prices fall again')).toBe(true);
    expect(result.text).toContain('Battery storage prices fell for the third year running');
    expect(result.text).toContain('東京の電力会社も同様の結果を報告した。');
    expect(result.text).toContain('التقرير السنوي يظهر نموا قويا');
    expect(result.text).toContain('🔋');
    for (const noise of ['NAV-NOISE', 'COOKIE-NOISE', 'SCRIPT-NOISE', 'FOOTER-NOISE', 'ASIDE-NOISE', 'color: red']) expect(result.text).not.toContain(noise);
    expect(result.text).toMatch(/running,.*\n\nOperators said/s); // paragraphs stay paragraphs
  });

  test('a short page Readability finds no article in falls back to the body without chrome', async () => {
    const result = await extractDocument(bytes('<html><head><title>Memo</title></head><body><nav>NAV-NOISE</nav><p>Budget approved.</p><footer>FOOTER-NOISE</footer></body></html>'), 'html');
    expect(result).toMatchObject({ ok: true, title: 'Memo' });
    expect(result.ok && result.text).toContain('Budget approved.');
    expect(result.ok && result.text).not.toMatch(/NAV-NOISE|FOOTER-NOISE/);
  });

  test('a page with no readable text is FAILED', async () => {
    expect(await extractDocument(bytes('<html><body><script>x()</script></body></html>'), 'html')).toMatchObject({ ok: false, reason: 'the HTML page has no readable text' });
  });
});

describe('Word (.docx)', () => {
  test('body text with headings and lists as plain text; unicode intact', async () => {
    const docx = await makeDocx({
      title: 'Quarterly research notes',
      paragraphs: ['The lab finished the storage trial in March.', 'Die Ergebnisse übertreffen die Erwartungen; 结果超出预期。'],
      bullets: ['Costs fell by a fifth', 'Peaks shaved in all eleven regions'],
      heading: 'Next steps',
      closing: 'A second trial starts in June.',
    });
    const result = await extractDocument(docx, 'docx');
    if (!result.ok) throw new Error(result.reason);
    expect(result.title).toBe('Quarterly research notes');
    expect(result.text).toBe(
      'Quarterly research notes\n\nThe lab finished the storage trial in March.\n\nDie Ergebnisse übertreffen die Erwartungen; 结果超出预期。\n\n- Costs fell by a fifth\n- Peaks shaved in all eleven regions\n\nNext steps\n\nA second trial starts in June.',
    );
  });

  test('a ZIP that is not a Word document is FAILED with the reason', async () => {
    const result = await extractDocument(bytes('PK\u0003\u0004 not really a docx'), 'docx');
    expect(result).toMatchObject({ ok: false, format: 'docx', reason: expect.stringMatching(/^the Word document could not be read/) });
  });
});

describe('format by content, then name', () => {
  test.each([
    ['a PDF named .txt', '%PDF-1.7\n...', 'report.txt', 'pdf'],
    ['HTML named .md', '<!DOCTYPE html><html><body><p>x</p></body></html>', 'notes.md', 'html'],
    ['HTML with a BOM and leading space', '\uFEFF  <html><body>x</body></html>', 'page.txt', 'html'],
    ['an HTML fragment named .html', '<p>Hello</p>', 'page.html', 'html'],
    ['Markdown', '# Title\n\nText', 'notes.md', 'markdown'],
    ['plain text', 'Just text.', 'memo.text', 'text'],
    ['text with any extension', 'Line one.\nLine two.', 'minutes.log', 'text'],
  ])('%s is %s', (_name, content, name, format) => {
    expect(sniffFormat(bytes(content), name)).toEqual({ ok: true, format });
  });

  test('a .docx is recognised by its ZIP signature and name or its word/ part', async () => {
    const docx = await makeDocx({ title: 't', paragraphs: [], bullets: [], heading: 'h', closing: 'c' });
    expect(sniffFormat(docx.subarray(0, 4096), 'x.docx')).toEqual({ ok: true, format: 'docx' });
  });

  test.each([
    ['a legacy .doc', [0xd0, 0xcf, 0x11, 0xe0, 0xa1], 'old.doc', 'legacy Office file'],
    ['a PNG', [0x89, 0x50, 0x4e, 0x47, 0x0d], 'scan.txt', 'PNG image'],
    ['a JPEG', [0xff, 0xd8, 0xff, 0xe0], 'photo.pdf', 'JPEG image'],
    ['a plain ZIP', [0x50, 0x4b, 0x03, 0x04, 0x41], 'bundle.zip', 'ZIP archive that is not a Word .docx'],
    ['binary data', [0x41, 0x00, 0x42, 0x43], 'data.bin', 'binary data'],
  ])('%s is refused with what it is', (_name, head, name, what) => {
    const sniffed = sniffFormat(Uint8Array.from(head), name);
    expect(sniffed.ok).toBe(false);
    expect(!sniffed.ok && sniffed.reason).toContain(what);
  });

  test('text that is not UTF-8 is FAILED', async () => {
    expect(await extractDocument(Uint8Array.from([0x63, 0x61, 0x66, 0xe9]), 'text')).toMatchObject({ ok: false, reason: 'the document is not valid UTF-8 text' });
  });
});
