import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { makeCjkPdf } from '../../helpers/documents';
import { bundleExtraction } from '../../helpers/extract-bundle';

/** Extraction run from a Lambda-style bundle (a fresh process, no node_modules beside it). */
function extractBundled(pdfjsData: boolean) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'extract-bundle-'));
  try {
    const script = bundleExtraction(dir, { pdfjsData });
    const file = path.join(dir, 'cjk.pdf');
    fs.writeFileSync(file, makeCjkPdf(['東京の市場は上昇した。'], 'Tokyo markets rose.'));
    // Run from a copy outside the repository, so node_modules cannot stand in for the bundled data.
    const run = spawnSync(process.execPath, [script, file], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(0);
    return JSON.parse(run.stdout.trim().split('\n').pop()!).extraction;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('the invoker-style bundle reads CJK text with the CMaps shipped beside it', () => {
  expect(extractBundled(true)).toMatchObject({ ok: true, text: expect.stringContaining('東京の市場は上昇した。') });
});

test('without them the PDF is refused, naming the missing files, rather than read with its CJK text left out', () => {
  expect(extractBundled(false)).toEqual({ ok: false, format: 'pdf', reason: expect.stringMatching(/^the PDF could not be read \(Error: pdf\.js's CMaps and standard fonts are missing: neither .*pdfjs-data nor pdfjs-dist in node_modules\)$/) });
});
