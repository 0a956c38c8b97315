import * as fs from 'fs';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { PDFJS_DATA_DIR } from '../../common/extract/types';

const ROOT = path.join(__dirname, '..', '..');

/**
 * `common/extract` bundled as the invoker Lambda is (CommonJS, node24 target, the same banner,
 * define and externals as lib/constructs/handler-function.ts, and pdf.js's data copied beside it
 * as its afterBundling hook does), behind a script that extracts the file named on its command
 * line and prints JSON: timing, peak memory and the extraction itself.
 */
export function bundleExtraction(dir: string, options: { pdfjsData?: boolean } = {}): string {
  const entry = path.join(dir, 'entry.ts');
  fs.writeFileSync(
    entry,
    `import * as fs from 'fs';
import { extractDocument, sniffFormat } from ${JSON.stringify(path.join(ROOT, 'common', 'extract'))};
const [file] = process.argv.slice(2);
const started = process.hrtime.bigint();
const bytes = new Uint8Array(fs.readFileSync(file));
const sniffed = sniffFormat(bytes.subarray(0, 4096), file);
if (!sniffed.ok) throw new Error(sniffed.reason);
extractDocument(bytes, sniffed.format).then((extraction) => {
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(JSON.stringify({ seconds, bytes: bytes.byteLength, peakRssMb: process.resourceUsage().maxRSS / 1024, extraction }));
});
`,
  );
  const out = path.join(dir, 'extract.js');
  buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    minify: true,
    outfile: out,
    banner: { js: "const __summarizerImportMetaUrl = require('url').pathToFileURL(__filename).href;" },
    define: { 'import.meta.url': '__summarizerImportMetaUrl' },
    external: ['@napi-rs/canvas', 'canvas'],
    logLevel: 'error',
  });
  if (options.pdfjsData !== false) {
    const pdfjs = path.dirname(require.resolve('pdfjs-dist/package.json'));
    for (const data of ['cmaps', 'standard_fonts']) fs.cpSync(path.join(pdfjs, data), path.join(dir, PDFJS_DATA_DIR, data), { recursive: true });
  }
  return out;
}
