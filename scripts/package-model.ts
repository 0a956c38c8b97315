/**
 * Builds a model.tar.gz for `-c modelDataUrl=s3://…`: the model directory (as written by
 * `save_pretrained`: config.json, weights, tokenizer files) plus this app's handler as
 * code/inference.py, which replaces any code/ the directory had. Offline; upload the result
 * yourself (aws s3 cp model.tar.gz s3://my-models/pegasus/model.tar.gz).
 *
 *   npm run model:package -- <model-dir> <out.tar.gz>
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tar from 'tar';
import { MODEL_CODE_DIR } from '../lib/constructs/model-handler-code';

export function packageModel(modelDir: string, out: string): string[] {
  if (!fs.existsSync(path.join(modelDir, 'config.json'))) {
    throw new Error(`${modelDir} has no config.json: expected a directory written by save_pretrained()`);
  }
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'model-package-'));
  try {
    for (const entry of fs.readdirSync(modelDir).sort()) {
      if (entry !== 'code') fs.symlinkSync(path.resolve(modelDir, entry), path.join(staging, entry));
    }
    fs.mkdirSync(path.join(staging, 'code'));
    fs.copyFileSync(path.join(MODEL_CODE_DIR, 'inference.py'), path.join(staging, 'code', 'inference.py'));
    const entries = fs.readdirSync(staging).sort();
    tar.create({ gzip: true, file: out, cwd: staging, follow: true, portable: true, sync: true }, entries);
    return entries;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const [modelDir, out] = process.argv.slice(2);
  if (!modelDir || !out) {
    console.error('usage: npm run model:package -- <model-dir> <out.tar.gz>');
    process.exit(2);
  }
  try {
    const entries = packageModel(modelDir, out);
    console.log(`wrote ${out} (${entries.join(', ')}); upload it and deploy with -c modelDataUrl=s3://<bucket>/<key>.tar.gz`);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
