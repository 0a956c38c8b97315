// Extracts one PDF in a fresh process and prints the outcome and the process's peak memory (the
// measure a Lambda function's memory setting bounds). Used by pdf-memory.test.ts.
import { readFileSync } from 'fs';
import { extractDocument } from '../../common/extract';

async function main() {
  // As the invoker has it: the whole object in memory (staging reads the S3 body), then extraction.
  const bytes = new Uint8Array(readFileSync(process.argv[2]));
  const result = await extractDocument(bytes, 'pdf');
  const peakMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ ok: result.ok, text: result.ok ? result.text : undefined, reason: result.ok ? undefined : result.reason, peakMb })}\n`);
}

main();
