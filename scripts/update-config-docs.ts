/** Rewrites the configuration table in README.md from lib/config/schema.ts. */
import * as fs from 'fs';
import * as path from 'path';
import { withConfigTable } from '../lib/config/docs';

const readmePath = path.join(__dirname, '..', 'README.md');
fs.writeFileSync(readmePath, withConfigTable(fs.readFileSync(readmePath, 'utf8')));
console.log(`updated the configuration table in ${readmePath}`);
