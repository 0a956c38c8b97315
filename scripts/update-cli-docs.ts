/** Regenerates the README's CLI reference from the CLI's own definitions (`npm run docs:cli`). */
import * as fs from 'fs';
import * as path from 'path';
import { buildProgram } from '../cli/main';
import { cliReference, withCliReference } from '../cli/reference';

const readme = path.join(__dirname, '..', 'README.md');
const program = buildProgram({ stdout: () => undefined, stderr: () => undefined });
fs.writeFileSync(readme, withCliReference(fs.readFileSync(readme, 'utf8'), cliReference(program)));
console.log(`updated the CLI reference in ${readme}`);
