/**
 * Benchmark (not a test): document extraction as the invoker Lambda runs it. The extraction
 * module is bundled with esbuild exactly as the invoker is (CommonJS, node24 target, the same
 * banner, define and externals as lib/constructs/summary-pipeline.ts), then each document is
 * extracted in a fresh Node process that reports time and peak memory.
 *
 *   npm run bench:extract
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { makeHtmlPage, makePdf } from '../test/helpers/documents';
import { bundleExtraction } from '../test/helpers/extract-bundle';


const paragraph = (n: number) =>
  `Section ${n}. Regional grid operators reported that battery storage cut evening peaks by about a fifth, while the cost of new capacity fell for the third year running; the survey covered eleven regions and ${n} utilities.`;

async function documents(dir: string): Promise<Array<[string, string]>> {
  const pdfPath = path.join(dir, 'report-300-pages.pdf');
  const lines = Array.from({ length: 40 }, (_, i) => `Line ${i + 1}: ${paragraph(i).slice(0, 85)}`);
  fs.writeFileSync(pdfPath, await makePdf(Array.from({ length: 300 }, () => ({ lines })), { header: () => 'ACME Research Quarterly', footer: (p) => `Page ${p}` }));
  const htmlPath = path.join(dir, 'page-5mb.html');
  const paragraphs: string[] = [];
  for (let n = 0; paragraphs.join('').length < 5_000_000; n++) paragraphs.push(paragraph(n));
  fs.writeFileSync(htmlPath, makeHtmlPage({ title: 'A very long page', paragraphs }));
  return [
    ['PDF, 300 pages', pdfPath],
    ['HTML, 5 MB', htmlPath],
  ];
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-extract-'));
  const script = bundleExtraction(dir);
  console.log(`Lambda-style bundle: ${(fs.statSync(script).size / 1e6).toFixed(1)} MB\n`);
  console.log(`${'document'.padEnd(16)} ${'MB'.padStart(6)} ${'pages'.padStart(6)} ${'seconds'.padStart(8)} ${'pages/s'.padStart(8)} ${'MB/s'.padStart(6)} ${'peak RSS MB'.padStart(12)}`);
  for (const [label, file] of await documents(dir)) {
    const run = spawnSync(process.execPath, [script, file], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`${label}: ${run.stderr}`);
    const r = JSON.parse(run.stdout.trim().split('\n').pop()!);
    if (!r.extraction.ok) throw new Error(`${label}: ${r.extraction.reason}`);
    r.pages = r.extraction.pages;
    const mb = r.bytes / 1e6;
    console.log(
      `${label.padEnd(16)} ${mb.toFixed(1).padStart(6)} ${String(r.pages ?? '-').padStart(6)} ${r.seconds.toFixed(2).padStart(8)} ${(r.pages ? (r.pages / r.seconds).toFixed(0) : '-').padStart(8)} ${(mb / r.seconds).toFixed(1).padStart(6)} ${r.peakRssMb.toFixed(0).padStart(12)}`,
    );
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

void main();
