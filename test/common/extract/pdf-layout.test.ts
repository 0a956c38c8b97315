import { extractDocument, Extraction } from '../../../common/extract';
import { barePageNumber, isExplicitPageNumber, joinHyphenated } from '../../../common/extract/pdf-layout';
import { bodyLines, makeCjkPdf, makeLaidOutPdf, Placed } from '../../helpers/documents';

/** Extracts a generated PDF and returns the successful extraction. */
async function extract(pages: ReadonlyArray<readonly Placed[]>): Promise<Extract<Extraction, { ok: true }>> {
  const result = await extractDocument(await makeLaidOutPdf(pages), 'pdf');
  if (!result.ok) throw new Error(result.reason);
  return result;
}

const prose = (page: number, n = 8) =>
  Array.from({ length: n }, (_, i) => `Body line ${i + 1} of page ${page} says that storage demand grew in every region we surveyed`);
const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('running headers, footers and page numbers', () => {
  test('a 2-page report loses its CONFIDENTIAL header and its "Page 1"/"Page 2" footer', async () => {
    const page = (n: number) => [{ text: 'CONFIDENTIAL', x: 270, y: 750 }, ...bodyLines(prose(n)), { text: `Page ${n}`, x: 290, y: 40 }];
    const r = await extract([page(1), page(2)]);
    expect(count(r.text, 'CONFIDENTIAL')).toBe(0);
    expect(r.text).not.toMatch(/Page \d/);
    expect(r.text).toContain('Body line 8 of page 2');
    expect(r.removed).toMatchObject({ runningLines: 2, pageNumbers: 2 });
  });

  test('per-chapter headers that never reach most pages are removed; a chapter title of the same words in a larger size stays', async () => {
    const chapters = ['Programming with libfoo', 'Miscellanea'];
    const pages = Array.from({ length: 12 }, (_, i) => {
      const chapter = chapters[i < 7 ? 0 : 1];
      const first = i === 0 || i === 7;
      return first
        ? [{ text: chapter, x: 72, y: 730, size: 18 }, ...bodyLines(prose(i + 1), 690)]
        : [{ text: `${chapter}`, x: 72, y: 750, size: 9 }, ...bodyLines(prose(i + 1))];
    });
    const r = await extract(pages);
    expect(count(r.text, 'Programming with libfoo')).toBe(1);
    expect(count(r.text, 'Miscellanea')).toBe(1);
    expect(r.removed?.runningLines).toBe(10);
  });

  test('a header with its page number 7.3 % from the top ("Chapter 7: Reference 8") is removed on every page', async () => {
    const pages = Array.from({ length: 6 }, (_, i) => [{ text: `Chapter 7: Reference ${i + 8}`, x: 72, y: 734, size: 9 }, ...bodyLines(prose(i + 1), 700)]);
    const r = await extract(pages);
    expect(r.text).not.toContain('Chapter 7');
    expect(r.removed?.runningLines).toBe(6);
  });

  test('LaTeX page numbers 11 % from the bottom, and roman numbers in the front matter, are removed', async () => {
    const pages = Array.from({ length: 8 }, (_, i) => [...bodyLines(prose(i + 1)), { text: i < 3 ? ['i', 'ii', 'iii'][i] : String(i - 2), x: 300, y: 87 }]);
    const r = await extract(pages);
    expect(r.text.split('\n').filter((l) => /^\s*([0-9]+|[ivx]+)\s*$/.test(l))).toEqual([]);
    expect(r.removed?.pageNumbers).toBe(8);
  });

  test.each([['– 3 –'], ['- 3 -'], ['Page 3 of 9'], ['3 of 9'], ['[3]'], ['3/9']])('"%s" is recognised as a page number', (form) => {
    expect(isExplicitPageNumber(form) || barePageNumber(form) !== undefined).toBe(true);
  });

  test('a number in the body is not a page number', async () => {
    const pages = Array.from({ length: 3 }, (_, i) => [...bodyLines([...prose(i + 1, 4), '1969', ...prose(i + 1, 4)])]);
    const r = await extract(pages);
    expect(count(r.text, '1969')).toBe(3);
  });
});

describe('hyphenation, resolved with the document\'s own vocabulary', () => {
  test('broken words are joined; compounds, options and identifiers keep their hyphen', async () => {
    const r = await extract([
      bodyLines([
        'Floating point maths is everywhere and we use a point of view on floating numbers.',
        'Data at rest needs encryption; the keys for encryp-',
        'tion are rotated yearly, and infor-',
        'mation is kept. Every floating-',
        'point operation is counted. Run valgrind with --show-leak-',
        'kinds=all to see each leak in the sha256-',
        'based code, a state-of-the-',
        'art design.',
      ]),
    ]);
    expect(r.text).toContain('keys for encryption are rotated');
    expect(r.text).toContain('and information is kept');
    expect(r.text).toContain('Every floating-point operation');
    expect(r.text).toContain('--show-leak-kinds=all');
    expect(r.text).toContain('sha256-based');
    expect(r.text).toContain('state-of-the-art design');
    expect(r.removed?.hyphenationsJoined).toBe(2);
  });

  test('the hyphenated form seen elsewhere wins over a join', () => {
    const vocabulary = new Set(['well-known', 'well', 'known']);
    expect(joinHyphenated('a well-', 'known fact', vocabulary).text).toBe('a well-known fact');
    expect(joinHyphenated('an encryp-', 'tion key', new Set(['key'])).text).toBe('an encryption key');
  });
});

describe('structure', () => {
  test('a heading in a larger size is a paragraph of its own, even set close to the text after it', async () => {
    const r = await extract([[...bodyLines(['The previous section ends here without a full stop'], 700), { text: '2.3 Simple parsing', x: 72, y: 684, size: 13 }, ...bodyLines(['For simple types like integers the parser reads one token.'], 671)]]);
    expect(r.text).toBe('The previous section ends here without a full stop\n\n2.3 Simple parsing\n\nFor simple types like integers the parser reads one token.');
  });

  test('list items stay one per line; a table keeps its rows, cells joined by tabs', async () => {
    const cells = (y: number, a: string, b: string, c: string): Placed[] => [
      { text: a, x: 72, y },
      { text: b, x: 250, y },
      { text: c, x: 420, y },
    ];
    const r = await extract([
      [
        ...bodyLines(['Findings:', '• Storage cut evening peaks.', '• Prices fell again.', '1. First numbered point.'], 700),
        ...cells(640, 'Region', 'Capacity', 'Change'),
        ...cells(628, 'North', '12 GW', '+4 %'),
        ...cells(616, 'South', '9 GW', '-2 %'),
      ],
    ]);
    expect(r.text).toContain('Findings:\n\n• Storage cut evening peaks.\n• Prices fell again.\n1. First numbered point.');
    expect(r.text).toContain('Region\tCapacity\tChange\nNorth\t12 GW\t+4 %\nSouth\t9 GW\t-2 %');
  });

  test('code set in a monospaced font keeps its lines; underscores drawn as their own runs are kept', async () => {
    const r = await extract([
      [
        ...bodyLines(['Call the function like this:'], 700),
        { text: 'int main() {', x: 72, y: 686, font: 'mono' },
        { text: '  // set up', x: 72, y: 674, font: 'mono' },
        { text: '  return 0; }', x: 72, y: 662, font: 'mono' },
        { text: 'It hashes into sha256', x: 72, y: 640 },
        // An underscore set as its own glyph, a little lower and without a space either side.
        { text: '_', x: { after: 0.3 }, y: 638.5 },
        { text: 'ctx state.', x: { after: 0.3 }, y: 640 },
      ],
    ]);
    expect(r.text).toContain('int main() {\n// set up\nreturn 0; }');
    expect(r.text).toContain('sha256_ctx');
  });

  test('two columns drawn line by line across the page are read column by column', async () => {
    const left = Array.from({ length: 12 }, (_, i) => `Left column sentence ${i + 1} goes on`);
    const right = Array.from({ length: 12 }, (_, i) => `right column sentence ${i + 1} goes on`);
    const page: Placed[] = [{ text: 'A Two Column Study of Storage Markets in Eleven Regions', x: 72, y: 740, size: 14 }];
    left.forEach((text, i) => page.push({ text, x: 72, y: 700 - i * 12 }, { text: right[i], x: 320, y: 700 - i * 12 }));
    const r = await extract([page]);
    const order = [...left, ...right].map((s) => r.text.indexOf(s));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(r.text.indexOf('A Two Column Study')).toBe(0);
  });

  test('a trailing References section is set aside, not summarized, and reported', async () => {
    const pages = [
      [{ text: 'Storage and the Evening Peak', x: 72, y: 740, size: 16 }, ...bodyLines(prose(1))],
      [...bodyLines(prose(2)), { text: 'References', x: 72, y: 580, size: 13 }, ...bodyLines(['[1] A. Author. Grid storage. Journal of Power, 2024.', '[2] B. Writer. Peaks. 2025.'], 560)],
    ];
    const r = await extract(pages);
    expect(r.text).not.toContain('Journal of Power');
    expect(r.text).toContain('Body line 8 of page 2');
    expect(r.references).toBe('References\n\n[1] A. Author. Grid storage. Journal of Power, 2024.\n[2] B. Writer. Peaks. 2025.');
    expect(r.removed?.references).toEqual({ heading: 'References', characters: r.references!.length });
  });
});

describe('CJK', () => {
  test('text in a font with a predefined CMap (UniJIS-UCS2-H, not embedded) is read, beside Latin text', async () => {
    const result = await extractDocument(makeCjkPdf(['日本語の文書です。', '東京の市場は上昇した。'], 'Tokyo markets rose.'), 'pdf');
    expect(result.ok && result.text).toMatch(/^日本語の文書です。\s*東京の市場は上昇した。\s+Tokyo markets rose\.$/);
  });

  test('a Japanese paragraph wrapped over two lines is joined without a space', async () => {
    const result = await extractDocument(makeCjkPdf(['東京の市場は', '上昇した。'], 'Tokyo markets rose.'), 'pdf');
    expect(result.ok && result.text.split('\n')[0]).toBe('東京の市場は上昇した。');
  });
});
