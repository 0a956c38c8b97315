import { rolePermissions } from '../lib/review/render';
import { buildTestApp } from './helpers/app';
const t = buildTestApp(JSON.parse(process.argv[2] ?? '{}')).template.toJSON() as any;
for (const [role, lines] of rolePermissions(t)) { console.log(`## ${role}`); for (const l of lines) console.log('  ' + l); }
