import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bodyLines, makeDocx, makeLaidOutPdf } from '../helpers/documents';
import { runCli, tempFiles } from '../helpers/cli';

async function paperPdf(): Promise<Buffer> {
  const page = (n: number, extra: Parameters<typeof bodyLines>[0] = []) => [
    { text: 'CONFIDENTIAL DRAFT', x: 250, y: 750, size: 9 },
    ...bodyLines([`Finding ${n}: storage cut the evening peak by a fifth in region ${n}.`, ...extra]),
    { text: `Page ${n} of 2`, x: 280, y: 40, size: 9 },
  ];
  return Buffer.from(
    await makeLaidOutPdf([
      page(1),
      [...page(2), { text: 'References', x: 72, y: 600, size: 13 }, ...bodyLines(['[1] A. Author. Grid storage. 2024.'], 580)],
    ]),
  );
}

describe('summarizer extract', () => {
  test('prints exactly the text that would be summarized, and says on stderr what was removed', async () => {
    const dir = tempFiles({ 'paper.pdf': await paperPdf() });
    const { code, out, err } = await runCli(['extract', path.join(dir, 'paper.pdf')]);
    expect(code).toBe(0);
    expect(out).toBe('Finding 1: storage cut the evening peak by a fifth in region 1.\n\nFinding 2: storage cut the evening peak by a fifth in region 2.\n');
    expect(err).toContain('paper.pdf: PDF, 2 pages, 128 characters to summarize; removed: 2 running header/footer lines, 2 page numbers, the "References" section (46 characters) set aside, not summarized');
  });

  test('--out writes <name>.txt and <name>.references.txt for each file; refused files say why as submit would, exit 1', async () => {
    const dir = tempFiles({
      'paper.pdf': await paperPdf(),
      'notes.docx': Buffer.from(await makeDocx({ title: 'Notes', paragraphs: ['The trial met its endpoint.'], bullets: ['Costs fell'], heading: 'Next', closing: 'June.', footnote: 'Per the trial log.' })),
      'scan.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]),
      'empty.txt': '',
    });
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'extract-out-'));
    const run = await runCli(['extract', dir, '--out', out]);
    expect(run.code).toBe(1);
    expect(run.out).toBe('');
    expect(fs.readdirSync(out).sort()).toEqual(['notes.txt', 'paper.references.txt', 'paper.txt']);
    expect(fs.readFileSync(path.join(out, 'paper.references.txt'), 'utf8')).toBe('References\n\n[1] A. Author. Grid storage. 2024.');
    expect(fs.readFileSync(path.join(out, 'notes.txt'), 'utf8')).toMatch(/June\.\n\nNotes\n\n1\. Per the trial log\.$/);
    expect(run.err).toContain('notes.docx: Word, ');
    expect(run.err).toContain('removed: 1 footnote moved to the end');
    expect(run.err).toMatch(/scan\.png: refused: unsupported content: a PNG image/);
    expect(run.err).toMatch(/empty\.txt: refused: empty file: there is nothing to summarize/);
  });
});

describe('submit --dry-run', () => {
  test('shows a refusal reason whole, wrapped rather than cut', async () => {
    // --strict refuses a document too long for the endpoint with a reason of about 250 characters, the remedy at its end.
    const dir = tempFiles({ 'huge.txt': 'Regional grid operators reported that storage cut peak demand. '.repeat(35_000) });
    const { out } = await runCli(['submit', dir, '--dry-run', '--strict', '--manifest', path.join(dir, 'm.json')]);
    const reasonColumn = out
      .split('\n')
      .map((line) => line.split('│').slice(-2, -1)[0]?.trim() ?? '')
      .filter((cell) => cell !== '' && cell !== 'Reason')
      .join(' ');
    expect(reasonColumn).toMatch(/^too long for the endpoint: about 409,500 tokens, .* over the invocation timeout of 900 s: raise invocationTimeoutSeconds \(at most 3600\) or split the document$/);
    expect(reasonColumn).not.toContain('…');
  });
});
