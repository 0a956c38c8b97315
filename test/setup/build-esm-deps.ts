import * as fs from 'fs';
import * as path from 'path';
import { buildSync } from 'esbuild';

/**
 * Some dependencies are ES modules only (pdfjs-dist; linkedom through css-select), which Jest's
 * CommonJS runtime on Node 20 cannot load. The app bundles them with esbuild (Lambda) or loads
 * them natively (the CLI, Node ≥ 20.19's require(esm)); for the tests each is converted to one
 * CommonJS file once per run, and jest.config.js maps its import to that file.
 */
export const ESM_DEPENDENCIES: Readonly<Record<string, string>> = {
  'pdf.cjs': 'pdfjs-dist/legacy/build/pdf.mjs',
  'pdf.worker.cjs': 'pdfjs-dist/legacy/build/pdf.worker.mjs',
  'linkedom.cjs': 'linkedom',
};

const OUT_DIR = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'summarizer-test');

export default function buildEsmDependencies(): void {
  for (const [out, specifier] of Object.entries(ESM_DEPENDENCIES)) {
    const entry = require.resolve(specifier);
    const target = path.join(OUT_DIR, out);
    if (fs.existsSync(target) && fs.statSync(target).mtimeMs >= fs.statSync(entry).mtimeMs) continue;
    buildSync({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: target,
      // Optional native add-ons the libraries try and do without.
      external: ['canvas', '@napi-rs/canvas'],
      // As in the Lambda bundle (lib/constructs/summary-pipeline.ts): import.meta.url is this file's URL.
      banner: { js: "const __summarizerImportMetaUrl = require('url').pathToFileURL(__filename).href;" },
      define: { 'import.meta.url': '__summarizerImportMetaUrl' },
      logLevel: 'error',
    });
  }
}
