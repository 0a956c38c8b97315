import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tar from 'tar';
import { MODEL_CODE_DIR, writeModelCodeArchive } from '../../lib/constructs/model-handler-code';
import { packageModel } from '../../scripts/package-model';

const list = (file: string) => {
  const entries: string[] = [];
  tar.list({ file, sync: true, onReadEntry: (e) => entries.push(String(e.path)) });
  return entries;
};

test('the handler archive is the same bytes for the same source (so an unchanged handler never replaces the model)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'archive-'));
  writeModelCodeArchive(MODEL_CODE_DIR, path.join(dir, 'a.tar.gz'));
  writeModelCodeArchive(MODEL_CODE_DIR, path.join(dir, 'b.tar.gz'));
  expect(fs.readFileSync(path.join(dir, 'a.tar.gz')).equals(fs.readFileSync(path.join(dir, 'b.tar.gz')))).toBe(true);
  expect(list(path.join(dir, 'a.tar.gz'))).toEqual(['code/', 'code/inference.py']);
});

test('model:package puts the handler as code/inference.py next to the model files, replacing any code/ of its own', () => {
  const model = fs.mkdtempSync(path.join(os.tmpdir(), 'model-'));
  fs.writeFileSync(path.join(model, 'config.json'), '{"architectures": ["PegasusForConditionalGeneration"]}');
  fs.writeFileSync(path.join(model, 'model.safetensors'), 'weights');
  fs.mkdirSync(path.join(model, 'code'));
  fs.writeFileSync(path.join(model, 'code', 'inference.py'), '# an old handler');
  const out = path.join(model, '..', `${path.basename(model)}.tar.gz`);
  packageModel(model, out);
  expect(list(out).sort()).toEqual(['code/', 'code/inference.py', 'config.json', 'model.safetensors']);
  const extracted = fs.mkdtempSync(path.join(os.tmpdir(), 'extracted-'));
  tar.extract({ file: out, cwd: extracted, sync: true });
  expect(fs.readFileSync(path.join(extracted, 'code', 'inference.py'), 'utf8')).toBe(fs.readFileSync(path.join(MODEL_CODE_DIR, 'inference.py'), 'utf8'));
  expect(fs.readFileSync(path.join(extracted, 'model.safetensors'), 'utf8')).toBe('weights');
});

test('model:package refuses a directory that is not a saved model', () => {
  expect(() => packageModel(fs.mkdtempSync(path.join(os.tmpdir(), 'empty-')), '/tmp/x.tar.gz')).toThrow('has no config.json: expected a directory written by save_pretrained()');
});
