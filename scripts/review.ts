/**
 * `npm run review`: writes docs/security-review.md and the README's architecture diagram from the
 * template the reviewed configuration synthesizes (lib/review). Commit both; a test fails when
 * they differ from what the code synthesizes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildReview, REVIEW_FILE, withDiagram } from '../lib/review/review';

const { report, diagram } = buildReview();
fs.mkdirSync(path.dirname(REVIEW_FILE), { recursive: true });
fs.writeFileSync(REVIEW_FILE, report);
const readme = path.join(__dirname, '..', 'README.md');
fs.writeFileSync(readme, withDiagram(fs.readFileSync(readme, 'utf8'), diagram));
console.log(`wrote ${path.relative(process.cwd(), REVIEW_FILE)} and the README's architecture diagram`);
