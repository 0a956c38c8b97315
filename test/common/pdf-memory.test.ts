import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_EXTRACTION_LIMITS } from '../../common/extract';
import { INVOKER_MEMORY_MB } from '../../lib/constructs/summary-pipeline';

/**
 * A PDF at the byte limit (a scanned report's size: one page of text and a large image), written
 * by hand: objects, then a cross-reference table with their byte offsets (PDF 1.7, 7.5).
 */
function pdfAtTheLimit(file: string, bytes: number): void {
  const text = 'BT /F1 12 Tf 72 720 Td (Quarterly report: revenue grew.) Tj ET q 500 0 0 500 50 50 cm /Im1 Do Q';
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let length = 0;
  const add = (b: Buffer) => {
    parts.push(b);
    length += b.length;
  };
  const object = (n: number, body: string | Buffer, stream?: Buffer) => {
    offsets[n] = length;
    add(Buffer.from(`${n} 0 obj\n`));
    add(Buffer.isBuffer(body) ? body : Buffer.from(body));
    if (stream) {
      add(Buffer.from('\nstream\n'));
      add(stream);
      add(Buffer.from('\nendstream'));
    }
    add(Buffer.from('\nendobj\n'));
  };
  add(Buffer.from('%PDF-1.7\n'));
  object(1, '<< /Type /Catalog /Pages 2 0 R >>');
  object(2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>');
  object(3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R /Resources << /Font << /F1 6 0 R >> /XObject << /Im1 4 0 R >> >> >>');
  const side = Math.floor(Math.sqrt(bytes - 2000));
  object(4, `<< /Type /XObject /Subtype /Image /Width ${side} /Height ${side} /ColorSpace /DeviceGray /BitsPerComponent 8 /Length ${side * side} >>`, Buffer.alloc(side * side, 0x80));
  object(5, `<< /Length ${text.length} >>`, Buffer.from(text));
  object(6, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  const xref = length;
  add(Buffer.from(`xref\n0 7\n0000000000 65535 f \n${offsets.slice(1).map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`));
  add(Buffer.from(`trailer\n<< /Size 7 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`));
  fs.writeFileSync(file, Buffer.concat(parts));
}

test('a PDF at the byte limit is extracted inside the invoker\'s memory, the whole object and pdf.js\'s copy included', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pdf-memory-')), 'scan.pdf');
  pdfAtTheLimit(file, DEFAULT_EXTRACTION_LIMITS.maxBytes - 1000);
  const size = fs.statSync(file).size;
  expect(size).toBeGreaterThan(DEFAULT_EXTRACTION_LIMITS.maxBytes * 0.99);
  expect(size).toBeLessThanOrEqual(DEFAULT_EXTRACTION_LIMITS.maxBytes);
  const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'pdf-memory-child.ts'), file], { encoding: 'utf8', timeout: 60_000 });
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  expect(child.status).toBe(0);
  const outcome = JSON.parse(child.stdout.trim().split('\n').at(-1)!);
  expect(outcome).toMatchObject({ ok: true, text: 'Quarterly report: revenue grew.' });
  // The process's peak (node itself, the 100 MB object, pdf.js's copy and its parse) against the
  // function's memory, with a quarter left for the SDK clients and the S3 body buffers.
  expect(outcome.peakMb).toBeLessThan(INVOKER_MEMORY_MB * 0.75);
});
