import JSZip from 'jszip';
import { PDFDocument, PDFName, PDFHexString, PDFNumber, StandardFonts, rgb } from 'pdf-lib';

/**
 * Test documents made here, for this repo: PDFs written with pdf-lib, a .docx assembled from its
 * XML parts, HTML pages with the noise a real page has.
 */

export interface PdfPage {
  /** Lines drawn top to bottom, in this order (the order pdf.js reads them back in). */
  readonly lines: readonly string[];
  /** A second column, drawn after the first. */
  readonly rightColumn?: readonly string[];
}

export interface PdfOptions {
  readonly header?: (page: number, pages: number) => string;
  readonly footer?: (page: number, pages: number) => string;
  readonly title?: string;
  /** Pages with a drawn image stand-in and no text at all. */
  readonly imageOnly?: boolean;
}

export async function makePdf(pages: readonly PdfPage[], options: PdfOptions = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  if (options.title) doc.setTitle(options.title);
  pages.forEach((content, i) => {
    const page = doc.addPage([612, 792]);
    if (options.imageOnly) {
      page.drawRectangle({ x: 50, y: 100, width: 500, height: 600, color: rgb(0.8, 0.8, 0.8) });
      return;
    }
    if (options.header) page.drawText(options.header(i + 1, pages.length), { x: 50, y: 760, size: 9, font });
    const columnWidth = content.rightColumn ? 250 : 500;
    content.lines.forEach((line, n) => page.drawText(line, { x: 50, y: 720 - n * 14, size: 11, font, maxWidth: columnWidth }));
    content.rightColumn?.forEach((line, n) => page.drawText(line, { x: 320, y: 720 - n * 14, size: 11, font }));
    if (options.footer) page.drawText(options.footer(i + 1, pages.length), { x: 290, y: 30, size: 9, font });
  });
  return doc.save({ useObjectStreams: false });
}

/**
 * A PDF protected by a user password (Standard security handler, revision 2). pdf.js first tries
 * the empty password; the /U entry here matches no password, so it must ask for one.
 */
export async function makeEncryptedPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage([612, 792]).drawText('Confidential board minutes.', { x: 50, y: 700, size: 12, font });
  const hex32 = (byte: string) => PDFHexString.of(byte.repeat(32));
  const encrypt = doc.context.obj({ Filter: 'Standard', V: 1, R: 2, O: hex32('AB'), U: hex32('CD'), P: PDFNumber.of(-44) });
  doc.context.trailerInfo.Encrypt = doc.context.register(encrypt);
  doc.context.trailerInfo.ID = doc.context.obj([PDFHexString.of('0123456789ABCDEF0123456789ABCDEF'), PDFHexString.of('0123456789ABCDEF0123456789ABCDEF')]);
  void PDFName;
  return doc.save({ useObjectStreams: false });
}

/**
 * A Word document: a title (Heading 1), paragraphs, a bulleted list, a heading and more text;
 * optionally a table (each cell a paragraph, as Word writes them) and a footnote on the first
 * paragraph (ECMA-376 Part 1 §17.11: a w:footnoteReference run, and word/footnotes.xml).
 */
export async function makeDocx(parts: {
  title: string;
  paragraphs: string[];
  bullets: string[];
  heading: string;
  closing: string;
  table?: string[][];
  footnote?: string;
}): Promise<Uint8Array> {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const p = (text: string, style?: string, list = false) =>
    `<w:p><w:pPr>${style ? `<w:pStyle w:val="${style}"/>` : ''}${list ? '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>' : ''}</w:pPr><w:r><w:t xml:space="preserve">${esc(text)}</w:t></w:r></w:p>`;
  const footnoteRun = '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteReference w:id="1"/></w:r>';
  const table = parts.table
    ? `<w:tbl>${parts.table.map((row) => `<w:tr>${row.map((cell) => `<w:tc>${p(cell)}</w:tc>`).join('')}</w:tr>`).join('')}</w:tbl>`
    : '';
  const body = [
    p(parts.title, 'Heading1'),
    ...parts.paragraphs.map((t, i) => (i === 0 && parts.footnote ? p(t).replace('</w:p>', `${footnoteRun}</w:p>`) : p(t))),
    table,
    ...parts.bullets.map((t) => p(t, 'ListParagraph', true)),
    p(parts.heading, 'Heading2'),
    p(parts.closing),
  ].join('');
  const zip = new JSZip();
  zip.file(
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/></Types>',
  );
  zip.file('_rels/.rels', '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>');
  zip.file(
    'word/_rels/document.xml.rels',
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/></Relationships>',
  );
  zip.file(
    'word/footnotes.xml',
    `<?xml version="1.0" encoding="UTF-8"?><w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">${
      parts.footnote ? `<w:footnote w:id="1"><w:p><w:r><w:t xml:space="preserve">${esc(parts.footnote)}</w:t></w:r></w:p></w:footnote>` : ''
    }</w:footnotes>`,
  );
  zip.file(
    'word/styles.xml',
    '<?xml version="1.0" encoding="UTF-8"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/></w:style><w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/></w:style></w:styles>',
  );
  zip.file(
    'word/numbering.xml',
    '<?xml version="1.0" encoding="UTF-8"?><w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>',
  );
  zip.file('word/document.xml', `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`);
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
}

/** A news page as browsers get it: navigation, a cookie banner, scripts, a footer, and the article. */
export function makeHtmlPage(article: { title: string; paragraphs: string[] }): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${article.title} | The Research Daily</title>
<script>window.dataLayer = [{ "tracking": "SCRIPT-NOISE" }];</script><style>.nav { color: red }</style></head>
<body>
<header><nav class="nav"><a href="/">Home</a> <a href="/world">World</a> <a href="/markets">Markets</a> <a href="/subscribe">Subscribe NAV-NOISE</a></nav></header>
<div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience. COOKIE-NOISE <button>Accept all</button></div>
<main><article>
<h1>${article.title}</h1>
<p class="byline">By Dana Whitfield</p>
${article.paragraphs.map((p) => `<p>${p}</p>`).join('\n')}
</article>
<aside><h3>Most read</h3><ul><li><a href="/a">ASIDE-NOISE celebrity story</a></li></ul></aside></main>
<footer><p>© 2026 The Research Daily. All rights reserved. FOOTER-NOISE</p><a href="/privacy">Privacy</a></footer>
<script>console.log("SCRIPT-NOISE")</script>
</body></html>`;
}

/** Text drawn at a position, in a standard font: what a page layout is made of. */
export interface Placed {
  readonly text: string;
  /** From the left edge, or `{ after: dx }`: dx after the end of the previous run on the page. */
  readonly x: number | { readonly after: number };
  /** Baseline, PDF units from the bottom of a 612 × 792 page. */
  readonly y: number;
  readonly size?: number;
  readonly font?: 'sans' | 'bold' | 'mono';
}

/** A PDF whose pages hold exactly these runs, drawn in the order given (which need not be reading order). */
export async function makeLaidOutPdf(pages: ReadonlyArray<readonly Placed[]>): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const fonts = {
    sans: await doc.embedFont(StandardFonts.Helvetica),
    bold: await doc.embedFont(StandardFonts.HelveticaBold),
    mono: await doc.embedFont(StandardFonts.Courier),
  };
  for (const runs of pages) {
    const page = doc.addPage([612, 792]);
    let end = 0;
    for (const r of runs) {
      const font = fonts[r.font ?? 'sans'];
      const size = r.size ?? 10;
      const x = typeof r.x === 'number' ? r.x : end + r.x.after;
      page.drawText(r.text, { x, y: r.y, size, font });
      end = x + font.widthOfTextAtSize(r.text, size);
    }
  }
  return doc.save({ useObjectStreams: false });
}

/** Body lines from the top of the text block down, 12 units apart, at the left margin (or `x`). */
export const bodyLines = (lines: readonly string[], top = 700, x = 72, size = 10): Placed[] => lines.map((text, i) => ({ text, x, y: top - i * 12, size }));

/**
 * A PDF in the form CJK documents use: a Type0 font with the predefined CMap `UniJIS-UCS2-H` (UCS-2
 * codes in the content stream) over a CIDFont that is not embedded (Adobe-Japan1), so the reader
 * needs the CMap files to read any of it, and a line of Latin text in Helvetica. Written by hand:
 * PDF 32000-1:2008 §9.7.5.2 lists UniJIS-UCS2-H among the predefined CMaps.
 */
export function makeCjkPdf(japanese: readonly string[], latin: string): Uint8Array {
  const ucs2 = (s: string) => Array.from(s, (c) => c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()).join('');
  const esc = (s: string) => s.replace(/[\\()]/g, (c) => `\\${c}`);
  const content = [
    ...japanese.map((line, i) => `BT /F1 12 Tf 72 ${760 - i * 18} Td <${ucs2(line)}> Tj ET`),
    `BT /F2 12 Tf 72 ${760 - japanese.length * 18 - 10} Td (${esc(latin)}) Tj ET`,
  ].join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R /F2 8 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type0 /BaseFont /KozMinPr6N-Regular /Encoding /UniJIS-UCS2-H /DescendantFonts [6 0 R] >>',
    '<< /Type /Font /Subtype /CIDFontType0 /BaseFont /KozMinPr6N-Regular /CIDSystemInfo << /Registry (Adobe) /Ordering (Japan1) /Supplement 6 >> /FontDescriptor 7 0 R /DW 1000 >>',
    '<< /Type /FontDescriptor /FontName /KozMinPr6N-Regular /Flags 6 /FontBBox [-437 -340 1147 1317] /ItalicAngle 0 /Ascent 1317 /Descent -349 /CapHeight 742 /StemV 80 >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(pdf, 'latin1'));
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(pdf, 'latin1');
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(pdf, 'latin1'));
}

/**
 * A documentation page shaped like the ones real sites serve (Sphinx, mdBook, rustdoc): a sidebar
 * menu of hundreds of links, a search dialog, a cookie banner, sections with permalink marks,
 * paragraphs dense with inline markup, syntax-highlighted code (a span per token) and tables,
 * repeated until the page is about `bytes` long. Real pages carry several elements per sentence;
 * a page of bare <p> paragraphs would flatter any extractor.
 */
export function makeRealWorldHtml(bytes: number): string {
  const menu = Array.from({ length: 300 }, (_, i) => `<li class="toctree-l2"><a class="reference internal" href="api.html#item-${i}"><span class="pre">item_${i}</span></a></li>`).join('');
  const head = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Storage API — Grid Toolkit 4.2 documentation</title>
<meta property="og:title" content="Storage API"><link rel="stylesheet" href="_static/pygments.css"><script>var DOCUMENTATION_OPTIONS={VERSION:'4.2'};</script></head>
<body><div class="cookie-banner" id="cookie-consent">We use cookies. <button>Accept all cookies</button></div>
<dialog id="search"><h2>Search</h2><p>Press / to search, ? for keyboard help.</p></dialog>
<div class="wy-grid-for-nav"><nav class="wy-nav-side"><div class="wy-side-scroll"><ul>${menu}</ul></div></nav>
<section class="wy-nav-content-wrap"><div class="wy-nav-content"><div class="rst-content"><div role="main" class="document"><div itemprop="articleBody">
<h1>Storage API<a class="headerlink" href="#storage-api" title="Permalink to this heading">¶</a></h1>`;
  const tail = '</div></div></div></div></section></div><footer><p>© Copyright 2026, Grid Toolkit developers.</p></footer></body></html>';
  const code = (n: number) =>
    `<div class="highlight-python notranslate"><div class="highlight"><pre><span></span><span class="c1"># read meter ${n}</span>\n<span class="n">reading</span> <span class="o">=</span> <span class="n">meter</span><span class="o">.</span><span class="n">read</span><span class="p">(</span><span class="n">channel</span><span class="o">=</span><span class="mi">${n}</span><span class="p">)</span>\n<span class="k">if</span> <span class="n">reading</span><span class="o">.</span><span class="n">peak</span> <span class="o">&gt;</span> <span class="n">limit</span><span class="p">:</span>\n    <span class="n">report</span><span class="p">(</span><span class="n">reading</span><span class="p">)</span>\n</pre></div></div>`;
  const section = (n: number) => `<section id="section-${n}"><h2>Section ${n}: peak storage<a class="headerlink" href="#section-${n}" title="Permalink to this heading">¶</a></h2>
<p>The <code class="docutils literal notranslate"><span class="pre">meter.read()</span></code> call returns a <a class="reference internal" href="#reading" title="Reading"><code class="xref py py-class docutils literal notranslate"><span class="pre">Reading</span></code></a> for channel <em>${n}</em>; operators reported that <strong>battery storage</strong> cut evening peaks by about a fifth, while the cost of new capacity fell for the third year running (see <a class="reference external" href="https://example.org/${n}">the survey</a>).</p>
${code(n)}
<table class="docutils align-default"><thead><tr class="row-odd"><th class="head"><p>Region</p></th><th class="head"><p>Capacity</p></th></tr></thead><tbody><tr class="row-even"><td><p>North ${n}</p></td><td><p>${n} GW</p></td></tr><tr class="row-odd"><td><p>South ${n}</p></td><td><p>${n + 1} GW</p></td></tr></tbody></table>
</section>`;
  const sections: string[] = [];
  let length = head.length + tail.length;
  for (let n = 1; length < bytes; n++) {
    const s = section(n);
    sections.push(s);
    length += s.length;
  }
  return head + sections.join('\n') + tail;
}
