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

/** A Word document: a title (Heading 1), paragraphs, a bulleted list, a heading and more text. */
export async function makeDocx(parts: { title: string; paragraphs: string[]; bullets: string[]; heading: string; closing: string }): Promise<Uint8Array> {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const p = (text: string, style?: string, list = false) =>
    `<w:p><w:pPr>${style ? `<w:pStyle w:val="${style}"/>` : ''}${list ? '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>' : ''}</w:pPr><w:r><w:t xml:space="preserve">${esc(text)}</w:t></w:r></w:p>`;
  const body = [
    p(parts.title, 'Heading1'),
    ...parts.paragraphs.map((t) => p(t)),
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
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/></Relationships>',
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
