import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tar from 'tar';
import { MODEL_CODE_DIR, writeModelCodeArchive } from '../../lib/constructs/model-handler-code';

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
