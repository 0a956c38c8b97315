import JSZip from 'jszip';
import { DEFAULT_EXTRACTION_LIMITS, extractDocument } from '../../common/extract';
import { zipBoundsProblem } from '../../common/extract/zip-bounds';
import { makeDocx } from '../helpers/documents';

const docx = () => makeDocx({ title: 'Q3 outlook', paragraphs: ['Revenue grew.'], bullets: ['One'], heading: 'Next', closing: 'Done.' });
const zipOf = async (files: Record<string, string | Buffer>) => {
  const zip = new JSZip();
  for (const [name, content] of Object.entries(files)) zip.file(name, content, { createFolders: false });
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
};
const LIMITS = { maxEntries: 100, maxUncompressedBytes: 1_000_000 };

test('a real Word document is within the bounds', async () => {
  expect(zipBoundsProblem(await docx(), { maxEntries: DEFAULT_EXTRACTION_LIMITS.maxDocxEntries, maxUncompressedBytes: DEFAULT_EXTRACTION_LIMITS.maxDocxUncompressedBytes })).toBeUndefined();
});

test('an archive that inflates past the limit is refused, whatever its compressed size', async () => {
  const bomb = await zipOf({ 'word/document.xml': Buffer.alloc(5_000_000, 0x20) });
  expect(bomb.byteLength).toBeLessThan(20_000);
  expect(zipBoundsProblem(bomb, LIMITS, 'the Word document')).toBe(
    'the Word document would expand to more than 1000000 bytes; Word documents are read up to that (limit maxDocxUncompressedBytes)',
  );
});

test('an entry that lies about its size is caught while it inflates, not after', async () => {
  const honest = Buffer.from(await zipOf({ 'word/document.xml': Buffer.alloc(500_000, 0x41) }));
  // Declare 100 bytes in both the central directory (offset 24) and the local header (offset 22).
  const central = honest.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  honest.writeUInt32LE(100, central + 24);
  honest.writeUInt32LE(100, 22);
  expect(zipBoundsProblem(honest, LIMITS, 'the Word document')).toBe('the Word document has an entry that inflates past the size it declares (100 bytes): a ZIP bomb?');
});

test('too many entries are refused before any is inflated', async () => {
  const files = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`word/media/${i}.xml`, 'x']));
  expect(zipBoundsProblem(await zipOf(files), LIMITS, 'the Word document')).toBe('the Word document has 150 entries; at most 100 are read (limit maxDocxEntries)');
});

test('something that is not a ZIP archive says so', () => {
  expect(zipBoundsProblem(Buffer.from('PK not really'), LIMITS, 'the Word document')).toBe('the Word document could not be read (not a ZIP archive: no end of central directory)');
});

test('extraction refuses a Word ZIP bomb with the reason, before mammoth reads it', async () => {
  const bomb = await zipOf({ '[Content_Types].xml': '<Types/>', 'word/document.xml': Buffer.alloc(3_000_000, 0x20) });
  const limits = { ...DEFAULT_EXTRACTION_LIMITS, maxDocxUncompressedBytes: 2_000_000 };
  expect(await extractDocument(bomb, 'docx', limits)).toEqual({
    ok: false,
    format: 'docx',
    reason: 'the Word document would expand to more than 2000000 bytes; Word documents are read up to that (limit maxDocxUncompressedBytes)',
  });
  const real = await extractDocument(await docx(), 'docx');
  expect(real).toMatchObject({ ok: true, title: 'Q3 outlook' });
});
