import { classifyDocument, decodeUtf8, describeCoverage, summaryDetailsFromResponse, summaryFromResponse, wrapText } from '../../common/payload';
import { isRetryable, withRetry } from '../../common/retry';
import { maxOf, percentile } from '../../common/statistics';
import { daysBetween, statusKeys } from '../../common/summary-record';

test('text is wrapped with exactly the caller\'s parameters (no truncation forced: the handler reads whole documents)', () => {
  expect(JSON.parse(wrapText('hello'))).toEqual({ inputs: 'hello', parameters: {} });
  expect(JSON.parse(wrapText('hello', { max_length: 64, long_documents: 'truncate' }))).toEqual({
    inputs: 'hello',
    parameters: { max_length: 64, long_documents: 'truncate' },
  });
});

test('classification by name and size: .json is a payload, anything else a document whose content decides', () => {
  expect(classifyDocument('a.TXT', 10)).toEqual({ ok: true, kind: 'document' });
  expect(classifyDocument('notes.md', 10)).toEqual({ ok: true, kind: 'document' });
  expect(classifyDocument('report.PDF', 10)).toEqual({ ok: true, kind: 'document' });
  expect(classifyDocument('p.json', 10)).toEqual({ ok: true, kind: 'payload' });
  expect(classifyDocument('p.json', 0)).toMatchObject({ ok: false });
  expect(classifyDocument('p.json', 1_000_000_000)).toEqual({ ok: true, kind: 'payload' });
  expect(classifyDocument('p.json', 1_000_000_001)).toMatchObject({ ok: false });
  expect(classifyDocument('scan.pdf', 0)).toEqual({ ok: false, reason: 'empty file: there is nothing to summarize' });
});

test('UTF-8 decoding is strict, strips a BOM and refuses blank documents', () => {
  expect(decodeUtf8(Buffer.from('\uFEFFcafé', 'utf8'))).toEqual({ ok: true, text: 'café' });
  expect(decodeUtf8(Buffer.from([0xe9]))).toEqual({ ok: false, reason: 'the document is not valid UTF-8 text' });
  expect(decodeUtf8(Buffer.from(' \n\t'))).toEqual({ ok: false, reason: 'the document contains only white space' });
});

test('summary extraction from summarization and text2text responses', () => {
  expect(summaryFromResponse('[{"summary_text":"s"}]')).toBe('s');
  expect(summaryFromResponse('[{"generated_text":"g"}]')).toBe('g');
  expect(summaryFromResponse('{"summary_text":"s"}')).toBe('s');
  expect(summaryFromResponse('[{"label":"x"}]')).toBeUndefined();
  expect(summaryFromResponse('not json')).toBeUndefined();
});

test('retry: retryable errors are retried up to the limit; others are not', async () => {
  const throttle = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
  let calls = 0;
  await expect(withRetry(async () => { calls++; throw throttle; }, { attempts: 4, baseDelayMs: 1, sleep: async () => undefined })).rejects.toBe(throttle);
  expect(calls).toBe(4);
  calls = 0;
  const validation = Object.assign(new Error('bad'), { name: 'ValidationError' });
  await expect(withRetry(async () => { calls++; throw validation; }, { attempts: 4, baseDelayMs: 1, sleep: async () => undefined })).rejects.toBe(validation);
  expect(calls).toBe(1);
  expect(isRetryable({ $metadata: { httpStatusCode: 503 } })).toBe(true);
  expect(isRetryable({ $metadata: { httpStatusCode: 404 } })).toBe(false);
});

test('status keys and day ranges', () => {
  expect(statusKeys('COMPLETED', new Date('2026-01-02T03:04:05.000Z'))).toEqual({ day: '2026-01-02', statusAt: 'COMPLETED#2026-01-02T03:04:05.000Z' });
  expect(daysBetween('2026-02-27', '2026-03-01')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
  expect(() => daysBetween('2026-03-01', '2026-02-01')).toThrow('the range ends (2026-02-01) before it starts (2026-03-01)');
  expect(() => daysBetween('yesterday', '2026-02-01')).toThrow('dates must be YYYY-MM-DD');
});

test('the handler\'s report is read from a response and said in one line, truncation first', () => {
  const whole = JSON.stringify([{ summary_text: 's', strategy: 'map-reduce', input_tokens: 41210, windows: 43, rounds: 3, truncated: false, round_limit_reached: false, reduce_stalled: true }]);
  expect(summaryDetailsFromResponse(whole)).toEqual({ strategy: 'map-reduce', inputTokens: 41210, windows: 43, rounds: 3, inputTruncated: false, roundLimitReached: false, reduceStalled: true });
  expect(describeCoverage({ ...summaryDetailsFromResponse(whole), reduceStalled: false })).toBe('whole document: 41,210 tokens, 43 windows, 3 rounds');
  expect(describeCoverage({ strategy: 'truncate', inputTokens: 9000, windows: 1, rounds: 1, inputTruncated: true })).toBe(
    'TRUNCATED: only the first window of 9,000 tokens was read (strategy truncate)',
  );
  expect(describeCoverage({ inputTokens: 90000, windows: 88, rounds: 4, inputTruncated: false, roundLimitReached: true })).toMatch(/ROUND LIMIT REACHED/);
  expect(describeCoverage({ inputTokens: 90000, windows: 88, rounds: 2, inputTruncated: false, reduceStalled: true })).toMatch(/REDUCE STALLED: the window summaries did not shrink/);
  expect(summaryDetailsFromResponse(JSON.stringify([{ summary_text: 'from the stock pipeline' }]))).toEqual({});
  expect(describeCoverage({})).toBeUndefined();
  expect(summaryDetailsFromResponse('not json')).toEqual({});
});

test('statistics: nearest-rank percentiles (Infinity, for requests that never finished, sorts last); maxOf on long lists', () => {
  expect(percentile([], 50)).toBeUndefined();
  expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
  expect(percentile([1, 2, 3, 4, Infinity], 95)).toBe(Infinity);
  expect(percentile([1, 2, 3, 4, Infinity], 80)).toBe(4);
  const long = Array.from({ length: 500_000 }, (_, i) => i);
  expect(maxOf(long)).toBe(499_999); // Math.max(...long) would overflow the stack
  expect(maxOf([], 1)).toBe(1);
});
