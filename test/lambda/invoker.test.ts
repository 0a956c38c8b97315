import 'aws-sdk-client-mock-jest';
import { CopyObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointAsyncCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_EXTRACTION_LIMITS } from '../../common/extract';
import { inferenceIdForObject } from '../../common/inference-id';
import { handleIngestBatch, InvokerDeps, keyCandidates, messageBudgetMs, parseObjectCreated } from '../../lambda/invoker/handler';
import { FakeBucket, checkHeaders } from '../helpers/fake-s3';
import { FakeTable } from '../helpers/fake-table';
import { bodyLines, makeDocx, makeEncryptedPdf, makeHtmlPage, makeLaidOutPdf, makePdf } from '../helpers/documents';
import { noSleep, sqsEvent } from '../helpers/lambda';

const s3 = mockClient(S3Client);
const sagemaker = mockClient(SageMakerRuntimeClient);
const dynamo = mockClient(DynamoDBDocumentClient);
const logs: Array<[string, string, Record<string, unknown> | undefined]> = [];
let bucket: FakeBucket;
let table: FakeTable;

const deps: InvokerDeps = {
  s3: new S3Client({}),
  sagemaker: new SageMakerRuntimeClient({}),
  table: DynamoDBDocumentClient.from(new DynamoDBClient({})),
  log: (level, message, fields) => logs.push([level, message, fields]),
  now: () => new Date('2026-11-24T10:00:00.000Z'),
  sleep: noSleep,
  settings: {
    bucket: 'docs-bucket',
    inputPrefix: 'input/',
    requestsPrefix: 'requests/',
    extractedPrefix: 'extracted/',
    endpointName: 'ep',
    tableName: 'summaries',
    modelId: 'google/pegasus-large',
    modelRevision: '93928205c2e26274f82e637a8e10033be1e1e975',
    invocationTimeoutSeconds: 1800,
    retentionDays: 90,
    maxReceiveCount: 5,
  },
};

const idOf = (key: string, etag: string) => inferenceIdForObject('docs-bucket', key, etag);
const recordOf = (key: string, etag: string) => table.items.get(idOf(key, etag));

/** The EventBridge event for one uploaded version; `eventKey` is the key as the event spells it. */
function eventFor(key: string, version: { versionId: string; etag: string; body: Buffer }, eventKey = key): string {
  return JSON.stringify({
    source: 'aws.s3',
    'detail-type': 'Object Created',
    detail: {
      bucket: { name: 'docs-bucket' },
      object: { key: eventKey, size: version.body.length, etag: version.etag, 'version-id': version.versionId, sequencer: '00' },
      reason: 'PutObject',
    },
  });
}

/** A delivery of the message with the given SQS receive count. */
function delivery(body: string, receiveCount = 1) {
  const event = sqsEvent(body);
  event.Records[0].attributes.ApproximateReceiveCount = String(receiveCount);
  return event;
}

beforeEach(() => {
  bucket = new FakeBucket();
  table = new FakeTable();
  s3.reset();
  sagemaker.reset();
  dynamo.reset();
  logs.length = 0;
  s3.on(CopyObjectCommand).callsFake((input) => bucket.copy(input));
  s3.on(GetObjectCommand).callsFake((input) => bucket.getObject(input));
  s3.on(PutObjectCommand).callsFake((input) => bucket.putObject(input));
  dynamo.on(PutCommand).callsFake((i) => table.put(i));
  dynamo.on(UpdateCommand).callsFake((i) => table.update(i));
  dynamo.on(QueryCommand).callsFake((i) => table.query(i));
  sagemaker.on(InvokeEndpointAsyncCommand).callsFake((input) => {
    // The SDK sends these as headers; Node refuses what a header cannot carry.
    checkHeaders({
      'x-amzn-sagemaker-inputlocation': input.InputLocation,
      'x-amzn-sagemaker-content-type': input.ContentType,
      'x-amzn-sagemaker-inference-id': input.InferenceId,
    });
    return {
      InferenceId: input.InferenceId,
      OutputLocation: `s3://docs-bucket/output/${input.InferenceId}.out`,
      FailureLocation: `s3://docs-bucket/failure/${input.InferenceId}-error.out`,
    };
  });
});

describe('a text upload', () => {
  test('is copied (that exact version) to requests/<id>.txt and submitted by reference as text/plain; only its first 4 KB are read, to tell its format', async () => {
    const v = bucket.put('input/brief.txt', 'Markets rallied on Tuesday.');
    const id = idOf('input/brief.txt', v.etag);

    const result = await handleIngestBatch(delivery(eventFor('input/brief.txt', v)), deps);

    expect(result.batchItemFailures).toEqual([]);
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 1);
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: 'docs-bucket', Key: 'input/brief.txt', VersionId: v.versionId, IfMatch: v.etag, Range: 'bytes=0-4095' });
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
    expect(s3).toHaveReceivedCommandWith(CopyObjectCommand, {
      Bucket: 'docs-bucket',
      Key: `requests/${id}.txt`,
      CopySource: `docs-bucket/input/brief.txt?versionId=${v.versionId}`,
      CopySourceIfMatch: v.etag,
      MetadataDirective: 'REPLACE',
      Metadata: { 'source-key': 'input%2Fbrief.txt', 'source-version-id': v.versionId, 'source-etag': v.etag, 'inference-id': id },
    });
    expect(bucket.get(`requests/${id}.txt`)!.toString()).toBe('Markets rallied on Tuesday.');
    expect(sagemaker).toHaveReceivedCommandWith(InvokeEndpointAsyncCommand, {
      EndpointName: 'ep',
      InputLocation: `s3://docs-bucket/requests/${id}.txt`,
      ContentType: 'text/plain',
      InferenceId: id,
      InvocationTimeoutSeconds: 1800,
    });
    expect(table.items.get(id)).toMatchObject({
      status: 'PENDING',
      format: 'text',
      sourceKey: 'input/brief.txt',
      sourceVersionId: v.versionId,
      sourceEtag: v.etag,
      sourceSize: 27,
      modelId: 'google/pegasus-large',
      modelRevision: '93928205c2e26274f82e637a8e10033be1e1e975',
      submittedThrough: 'pipeline',
      inputLocation: `s3://docs-bucket/requests/${id}.txt`,
      contentType: 'text/plain',
      outputLocation: `s3://docs-bucket/output/${id}.out`,
      submittedAt: '2026-11-24T10:00:00.000Z',
      expiresAt: Date.parse('2026-11-24T10:00:00Z') / 1000 + 90 * 86400,
    });
  });

  test('a .json payload goes the same way, as application/json', async () => {
    const v = bucket.put('input/batch/paper.json', '{"inputs":"x"}');
    await handleIngestBatch(delivery(eventFor('input/batch/paper.json', v)), deps);
    const id = idOf('input/batch/paper.json', v.etag);
    expect(sagemaker).toHaveReceivedCommandWith(InvokeEndpointAsyncCommand, {
      InputLocation: `s3://docs-bucket/requests/${id}.json`,
      ContentType: 'application/json',
    });
    expect(table.items.get(id)).toMatchObject({ status: 'PENDING', contentType: 'application/json' });
  });
});

describe('documents as researchers have them: PDF, HTML and Word', () => {
  const pages = [1, 2, 3].map((n) => ({ lines: [`Finding ${n}: storage costs fell again in region ${n}.`, 'Operators expect the trend to continue next year.'] }));

  test.each([
    ['a PDF', 'input/Jahresbericht 2026.pdf', async () => makePdf(pages, { title: 'Annual report', footer: (p) => `Page ${p}` }), 'pdf', 3, 'Finding 2: storage costs fell again'],
    ['a PDF named .txt', 'input/report.txt', async () => makePdf(pages), 'pdf', 3, 'Finding 3'],
    ['an HTML page', 'input/news/storage.html', async () => makeHtmlPage({ title: 'Storage prices fall', paragraphs: ['Battery storage prices fell for the third year running, according to a survey of eleven regional grid operators published on Tuesday. Operators said evening peaks were a fifth lower where batteries were installed.'] }), 'html', undefined, 'Battery storage prices fell'],
    ['HTML named .md', 'input/notes.md', async () => makeHtmlPage({ title: 'Notes', paragraphs: ['The lab finished the storage trial in March and will publish the full data set in the autumn, together with the code used to analyse it and the raw measurements.'] }), 'html', undefined, 'The lab finished the storage trial'],
    ['a Word document', 'input/notes/研究メモ.docx', async () => makeDocx({ title: 'Research notes', paragraphs: ['The trial met its endpoint.'], bullets: ['Costs fell'], heading: 'Next', closing: 'More in June.' }), 'docx', undefined, '- Costs fell'],
  ])('%s: its text is extracted to extracted/<id>.txt with the source in metadata, submitted by reference, and recorded with format and pages', async (_name, key, make, format, pageCount, expected) => {
    const content = await make();
    const v = bucket.put(key, Buffer.from(content));
    const id = idOf(key, v.etag);

    const result = await handleIngestBatch(delivery(eventFor(key, v)), deps);

    expect(result.batchItemFailures).toEqual([]);
    const text = bucket.get(`extracted/${id}.txt`)!.toString('utf8');
    expect(text).toContain(expected);
    expect(text).not.toMatch(/NAV-NOISE|COOKIE-NOISE|FOOTER-NOISE|Page \d$/m);
    expect(bucket.metadata.get(`extracted/${id}.txt`)).toEqual({
      'source-key': encodeURIComponent(key),
      'source-version-id': v.versionId,
      'source-etag': v.etag,
      'inference-id': id,
      format,
      characters: String(text.length),
      ...(pageCount ? { pages: String(pageCount) } : {}),
      ...(format === 'docx' ? { title: 'Research%20notes' } : format === 'pdf' && key.endsWith('.pdf') ? { title: 'Annual%20report' } : format === 'html' ? { title: expect.any(String) } : {}),
    });
    expect(sagemaker).toHaveReceivedCommandWith(InvokeEndpointAsyncCommand, {
      InputLocation: `s3://docs-bucket/extracted/${id}.txt`,
      ContentType: 'text/plain',
      InferenceId: id,
    });
    expect(table.items.get(id)).toMatchObject({
      status: 'PENDING',
      sourceKey: key,
      format,
      extractedCharacters: text.length,
      ...(pageCount ? { pages: pageCount } : {}),
    });
    // The same upload delivered again is submitted once.
    await handleIngestBatch(delivery(eventFor(key, v)), deps);
    expect(sagemaker).toHaveReceivedCommandTimes(InvokeEndpointAsyncCommand, 1);
  });

  test('a paper\'s trailing References section is kept beside the text, not summarized, and the record says so', async () => {
    const key = 'input/papers/storage.pdf';
    const pdf = await makeLaidOutPdf([
      [{ text: 'Storage and the Evening Peak', x: 72, y: 740, size: 16 }, ...bodyLines(['Batteries cut the evening peak by a fifth in every region we surveyed.', 'Prices fell for the third year running.'])],
      [...bodyLines(['The trend should continue while cell prices fall.']), { text: 'References', x: 72, y: 640, size: 13 }, ...bodyLines(['[1] A. Author. Grid storage. Journal of Power, 2024.'], 620)],
    ]);
    const v = bucket.put(key, Buffer.from(pdf));
    const id = idOf(key, v.etag);
    await handleIngestBatch(delivery(eventFor(key, v)), deps);
    const text = bucket.get(`extracted/${id}.txt`)!.toString('utf8');
    const references = bucket.get(`extracted/${id}.references.txt`)!.toString('utf8');
    expect(text).toContain('cell prices fall.');
    expect(text).not.toContain('Journal of Power');
    expect(references).toBe('References\n\n[1] A. Author. Grid storage. Journal of Power, 2024.');
    expect(bucket.metadata.get(`extracted/${id}.txt`)).toMatchObject({ 'references-excluded': String(references.length) });
    expect(table.items.get(id)).toMatchObject({
      status: 'PENDING',
      referencesExcludedCharacters: references.length,
      referencesLocation: `s3://docs-bucket/extracted/${id}.references.txt`,
    });
  });

  test.each([
    ['a scanned (image-only) PDF', 'input/scan.pdf', async () => makePdf([{ lines: [] }], { imageOnly: true }), /^the PDF has no extractable text in its 1 page \(scanned images\?\): run OCR on it first$/],
    ['an encrypted PDF', 'input/locked.pdf', makeEncryptedPdf, /^the PDF is encrypted and needs a password to open/],
    ['a PNG named .txt', 'input/photo.txt', async () => Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0]), /^unsupported content: a PNG image/],
    ['a legacy .doc', 'input/old.doc', async () => Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), /legacy Office file/],
    ['Latin-1 text', 'input/latin1.txt', async () => Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6e, 0x6f, 0x69, 0x72]), /^the document is not valid UTF-8 text/],
    ['a broken .docx', 'input/broken.docx', async () => Uint8Array.from(Buffer.from('PK\u0003\u0004word/ but not a zip at all')), /^the Word document could not be read/],
  ])('%s ends FAILED with its own reason, acknowledged, never submitted', async (_name, key, make, reason) => {
    const v = bucket.put(key, Buffer.from(await make()));
    const result = await handleIngestBatch(delivery(eventFor(key, v)), deps);
    expect(result.batchItemFailures).toEqual([]);
    expect(sagemaker).not.toHaveReceivedCommand(InvokeEndpointAsyncCommand);
    expect(recordOf(key, v.etag)).toMatchObject({ status: 'FAILED', retryable: false, failureReason: expect.stringMatching(reason) });
  });

  test('a document over the extraction limits ends FAILED naming the limit, without being read whole', async () => {
    const v = bucket.put('input/huge.pdf', Buffer.from(await makePdf(pages)));
    const limited = { ...deps, extractionLimits: { ...DEFAULT_EXTRACTION_LIMITS, maxBytes: 1000, maxHtmlBytes: 1000 } };
    await handleIngestBatch(delivery(eventFor('input/huge.pdf', v)), limited);
    expect(recordOf('input/huge.pdf', v.etag)).toMatchObject({ status: 'FAILED', failureReason: expect.stringMatching(/^the PDF file is \d+ bytes; PDF documents are extracted up to 1000 bytes \(limit maxBytes\)$/) });
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 1); // the first 4 KB only, to tell the format
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { Key: 'input/huge.pdf', Range: 'bytes=0-4095' });
  });
});

describe('names researchers give their files', () => {
  const names = ['Überblick.json', '报告.json', 'تقرير.txt', 'annual report.txt', 'a+b.txt', '100% growth.md', 'notes 🦜.txt', 'Überblick.txt'];
  const encoded = (key: string) => encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');

  test.each(names.flatMap((n) => [[n, 'as is'], [n, 'URL-encoded']]))('input/%s (event key %s) is submitted with ASCII headers', async (name, encoding) => {
    const key = `input/${name}`;
    const v = bucket.put(key, name.endsWith('.json') ? '{"inputs":"Bericht"}' : 'Ein Bericht.');
    const result = await handleIngestBatch(delivery(eventFor(key, v, encoding === 'as is' ? key : encoded(key))), deps);

    expect(result.batchItemFailures).toEqual([]);
    const [record] = [...table.items.values()];
    expect(record).toMatchObject({ status: 'PENDING' });
    const input = sagemaker.commandCalls(InvokeEndpointAsyncCommand)[0].args[0].input;
    expect(input.InputLocation).toMatch(/^s3:\/\/docs-bucket\/requests\/[0-9a-f]{64}\.(txt|json)$/);
    // The staged copy holds the user's document.
    expect(bucket.get(input.InputLocation!.replace('s3://docs-bucket/', ''))).toEqual(v.body);
  });

  test('keyCandidates tries the key as the event spells it, then URL-decoded', () => {
    expect(keyCandidates('input/a+b.txt')).toEqual(['input/a+b.txt', 'input/a b.txt']);
    expect(keyCandidates('input/%C3%9Cberblick.json')).toEqual(['input/%C3%9Cberblick.json', 'input/Überblick.json']);
    expect(keyCandidates('input/plain.txt')).toEqual(['input/plain.txt']);
    expect(keyCandidates('input/100%.txt')).toEqual(['input/100%.txt']); // not valid encoding: as is
  });
});

describe('the version the event names', () => {
  test('an upload overwritten before the invoker ran: the announced version is submitted, not the newer one', async () => {
    const first = bucket.put('input/draft.txt', 'First draft.');
    const second = bucket.put('input/draft.txt', 'Corrected draft.');

    await handleIngestBatch(delivery(eventFor('input/draft.txt', first)), deps);
    await handleIngestBatch(delivery(eventFor('input/draft.txt', second)), deps);

    const [a, b] = [idOf('input/draft.txt', first.etag), idOf('input/draft.txt', second.etag)];
    expect(bucket.get(`requests/${a}.txt`)!.toString()).toBe('First draft.');
    expect(bucket.get(`requests/${b}.txt`)!.toString()).toBe('Corrected draft.');
    expect(table.items.get(a)).toMatchObject({ status: 'PENDING', sourceVersionId: first.versionId });
    expect(table.items.get(b)).toMatchObject({ status: 'PENDING', sourceVersionId: second.versionId });
  });

  test('an upload deleted before the invoker ran ends FAILED with the reason, acknowledged', async () => {
    const v = bucket.put('input/gone.txt', 'Soon gone.');
    bucket.delete('input/gone.txt');
    const result = await handleIngestBatch(delivery(eventFor('input/gone.txt', v)), deps);
    expect(result.batchItemFailures).toEqual([]);
    expect(sagemaker).not.toHaveReceivedCommand(InvokeEndpointAsyncCommand);
    expect(recordOf('input/gone.txt', v.etag)).toMatchObject({
      status: 'FAILED',
      retryable: false,
      failureReason: 'the uploaded object no longer exists (deleted before it could be submitted) (NoSuchKey)',
    });
  });

  test('an ETag that no longer matches ends FAILED (precondition failed), acknowledged', async () => {
    const v = bucket.put('input/changed.txt', 'Text.');
    const event = eventFor('input/changed.txt', { ...v, etag: 'not-the-etag' });
    const result = await handleIngestBatch(delivery(event), deps);
    expect(result.batchItemFailures).toEqual([]);
    expect(recordOf('input/changed.txt', 'not-the-etag')).toMatchObject({ status: 'FAILED', failureReason: expect.stringContaining('(PreconditionFailed)') });
  });
});

describe('every error the submission can meet ends final or in a retry that can finish', () => {
  const aws = (name: string, status: number, message = name) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
  const invalidHeader = Object.assign(new TypeError('Invalid character in header content ["x-amzn-sagemaker-inputlocation"]'), { code: 'ERR_INVALID_CHAR' });
  type Where = 'copy' | 'invoke';
  const cases: Array<[string, Where, Error, boolean]> = [
    ['S3 NoSuchKey', 'copy', aws('NoSuchKey', 404), true],
    ['S3 NoSuchVersion', 'copy', aws('NoSuchVersion', 404), true],
    ['S3 PreconditionFailed', 'copy', aws('PreconditionFailed', 412), true],
    ['S3 InvalidObjectState (archived)', 'copy', aws('InvalidObjectState', 403), true],
    ['S3 AccessDenied (fixable by an operator, then redriven)', 'copy', aws('AccessDenied', 403), false],
    ['S3 SlowDown', 'copy', aws('SlowDown', 503), false],
    ['S3 InternalError', 'copy', aws('InternalError', 500), false],
    ['a network timeout', 'copy', Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }), false],
    ['SageMaker ValidationError (bad request)', 'invoke', aws('ValidationError', 400, 'Input location is not valid'), true],
    ['SageMaker ValidationError (endpoint not found, e.g. mid-deploy)', 'invoke', aws('ValidationError', 400, 'Endpoint ep of account 1 not found.'), false],
    ['SageMaker ThrottlingException', 'invoke', aws('ThrottlingException', 400), false],
    ['SageMaker ServiceUnavailable', 'invoke', aws('ServiceUnavailable', 503), false],
    ['SageMaker InternalFailure', 'invoke', aws('InternalFailure', 500), false],
    ['a header Node refuses (ERR_INVALID_CHAR)', 'invoke', invalidHeader, true],
  ];

  test.each(cases)('%s', async (_name, where, error, permanent) => {
    if (where === 'copy') s3.on(CopyObjectCommand).rejects(error);
    else sagemaker.on(InvokeEndpointAsyncCommand).rejects(error);
    const v = bucket.put('input/paper.txt', 'Text.');
    const body = eventFor('input/paper.txt', v);

    const first = await handleIngestBatch(delivery(body, 1), deps);
    if (permanent) {
      expect(first.batchItemFailures).toEqual([]);
      expect(recordOf('input/paper.txt', v.etag)).toMatchObject({ status: 'FAILED', retryable: false, failureReason: expect.any(String) });
      return;
    }
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(recordOf('input/paper.txt', v.etag)).toMatchObject({ status: 'SUBMITTING', attempt: 1 });

    // The last delivery before the dead-letter queue leaves the record saying so.
    const last = await handleIngestBatch(delivery(body, 5), deps);
    expect(last.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(recordOf('input/paper.txt', v.etag)).toMatchObject({
      status: 'FAILED',
      retryable: true,
      failureReason: expect.stringMatching(/^dead-lettered after 5 attempts: /),
    });
  });

  test('a DynamoDB failure before the claim leaves no record, and the message is retried', async () => {
    dynamo.on(PutCommand).rejects(aws('InternalServerError', 500));
    const v = bucket.put('input/paper.txt', 'Text.');
    const result = await handleIngestBatch(delivery(eventFor('input/paper.txt', v)), deps);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(table.items.size).toBe(0);
  });

  test('a dead-lettered record is claimed again by a redrive and submitted', async () => {
    sagemaker.on(InvokeEndpointAsyncCommand).rejectsOnce(aws('ServiceUnavailable', 503)).rejectsOnce(aws('ServiceUnavailable', 503)).rejectsOnce(aws('ServiceUnavailable', 503)).rejectsOnce(aws('ServiceUnavailable', 503)).rejectsOnce(aws('ServiceUnavailable', 503))
      .resolves({ OutputLocation: 's3://docs-bucket/output/x.out' });
    const v = bucket.put('input/paper.txt', 'Text.');
    const body = eventFor('input/paper.txt', v);
    await handleIngestBatch(delivery(body, 5), deps);
    expect(recordOf('input/paper.txt', v.etag)).toMatchObject({ status: 'FAILED', retryable: true });

    const redriven = await handleIngestBatch(delivery(body, 1), deps);
    expect(redriven.batchItemFailures).toEqual([]);
    expect(recordOf('input/paper.txt', v.etag)).toMatchObject({ status: 'PENDING', outputLocation: 's3://docs-bucket/output/x.out' });
  });

  test('a throttled InvokeEndpointAsync is retried with backoff within the attempt and succeeds', async () => {
    const throttled = aws('ThrottlingException', 400);
    sagemaker.on(InvokeEndpointAsyncCommand).rejectsOnce(throttled).rejectsOnce(throttled).resolves({ OutputLocation: 's3://docs-bucket/output/x.out' });
    const v = bucket.put('input/paper.json', '{}');
    const result = await handleIngestBatch(delivery(eventFor('input/paper.json', v)), deps);
    expect(result.batchItemFailures).toEqual([]);
    expect(sagemaker).toHaveReceivedCommandTimes(InvokeEndpointAsyncCommand, 3);
    expect(recordOf('input/paper.json', v.etag)).toMatchObject({ status: 'PENDING' });
  });
});

describe('duplicates', () => {
  test('a redelivered event for a document already submitted is skipped', async () => {
    const v = bucket.put('input/paper.txt', 'Text.');
    const body = eventFor('input/paper.txt', v);
    await handleIngestBatch(delivery(body), deps);
    const again = await handleIngestBatch(delivery(body), deps);
    expect(again.batchItemFailures).toEqual([]);
    expect(sagemaker).toHaveReceivedCommandTimes(InvokeEndpointAsyncCommand, 1);
    expect(logs.map(([, m]) => m)).toContain('duplicate event: this document version was already submitted');
  });

  test('a permanent failure is final: a redelivery does not claim it again', async () => {
    const v = bucket.put('input/gone.txt', 'x');
    bucket.delete('input/gone.txt');
    const body = eventFor('input/gone.txt', v);
    await handleIngestBatch(delivery(body), deps);
    await handleIngestBatch(delivery(body), deps);
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 1); // the second delivery stops at the claim
    expect(recordOf('input/gone.txt', v.etag)).toMatchObject({ status: 'FAILED', retryable: false });
  });
});

describe('waking an endpoint at zero', () => {
  test('the waker runs once per submitted document, after the request is queued and recorded PENDING; never for a duplicate or a refused document', async () => {
    const order: string[] = [];
    const afterSubmit = jest.fn(async () => {
      order.push(`wake (record ${[...table.items.values()].map((r) => r.status).join(',')})`);
      return 'woken' as const;
    });
    sagemaker.on(InvokeEndpointAsyncCommand).callsFake((input) => {
      order.push('invoke');
      return { InferenceId: input.InferenceId, OutputLocation: 's3://docs-bucket/output/x.out' };
    });
    const good = bucket.put('input/paper.txt', 'Text.');
    const body = eventFor('input/paper.txt', good);
    const empty = JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: 'docs-bucket' }, object: { key: 'input/empty.txt', size: 0, etag: 'e', 'version-id': 'v' } } });

    const wakeIfIdle = jest.fn();
    await handleIngestBatch(sqsEvent(body, empty), { ...deps, waker: { afterSubmit, wakeIfIdle } });
    await handleIngestBatch(delivery(body), { ...deps, waker: { afterSubmit, wakeIfIdle } });
    expect(wakeIfIdle).not.toHaveBeenCalled();

    expect(afterSubmit).toHaveBeenCalledTimes(1);
    expect(order).toEqual(['invoke', 'wake (record PENDING)']);
    expect(recordOf('input/empty.txt', 'e')).toMatchObject({ status: 'FAILED' });
  });
});

describe('bad input', () => {
  test.each([
    ['an empty object', 'input/empty.txt', 0, 'empty file: there is nothing to summarize'],
    ['an object over 1 GB', 'input/huge.json', 1_000_000_001, 'object is 1000000001 bytes; asynchronous inference accepts at most 1000000000 bytes (1 GB)'],
  ])('%s is recorded FAILED with the reason, and not submitted', async (_name, key, size, reason) => {
    const body = JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: 'docs-bucket' }, object: { key, size, etag: 'e', 'version-id': 'v' } } });
    const result = await handleIngestBatch(delivery(body), deps);
    expect(result.batchItemFailures).toEqual([]);
    expect(sagemaker).not.toHaveReceivedCommand(InvokeEndpointAsyncCommand);
    expect(recordOf(key, 'e')).toMatchObject({ status: 'FAILED', failureReason: reason, retryable: false, sourceKey: key, day: '2026-11-24' });
  });

  test.each([
    ['another prefix', 'output/x.out', 'docs-bucket', 10, 'ignored: not a document under the input prefix'],
    ['another bucket', 'input/x.txt', 'someone-elses-bucket', 10, 'ignored: not a document under the input prefix'],
    ['a folder marker', 'input/reports/', 'docs-bucket', 0, 'ignored: a folder marker, not a document'],
  ])('an event for %s is ignored with a log line, and no record', async (_name, key, bucketName, size, message) => {
    const body = JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: bucketName }, object: { key, size, etag: 'e' } } });
    const result = await handleIngestBatch(delivery(body), deps);
    expect(result.batchItemFailures).toEqual([]);
    expect(table.items.size).toBe(0);
    expect(logs.map(([, m]) => m)).toContain(message);
  });

  test.each([
    ['not JSON', '{"detail-type": '],
    ['not an S3 event', JSON.stringify({ source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', detail: {} })],
    ['an S3 event without a key', JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: 'b' }, object: { size: 1 } } })],
  ])('a malformed message (%s) is reported as failed, so SQS dead-letters it', async (_name, body) => {
    const v = bucket.put('input/ok.json', '{}');
    const result = await handleIngestBatch(sqsEvent(eventFor('input/ok.json', v), body), deps);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
    expect(sagemaker).toHaveReceivedCommandTimes(InvokeEndpointAsyncCommand, 1); // the good one went through
  });
});

test('parseObjectCreated reads bucket, key, size, etag and version id', () => {
  const v = { versionId: 'v9', etag: 'abc', body: Buffer.from('1234567') };
  expect(parseObjectCreated(eventFor('input/a b.txt', v))).toEqual({ bucket: 'docs-bucket', key: 'input/a b.txt', size: 7, etag: 'abc', versionId: 'v9' });
});

describe('the time budget of one invocation', () => {
  // A batch of three, each allowed 90 s of extraction and 60 s of the waker's rechecks, no
  // longer fits the 5-minute timeout: a message is started only with messageBudgetMs() left.
  const upload = (name: string) => eventFor(`input/${name}.txt`, bucket.put(`input/${name}.txt`, `${name} text.`));

  test('the budget is extraction + the waker\'s rechecks + half a minute', () => {
    expect(messageBudgetMs()).toBe(90_000 + 4 * 15_000 + 30_000);
  });

  test('a message is not started with less time left than one can take; it is handed back untouched', async () => {
    const left = [290_000, 200_000, 120_000]; // what the clock says before each message
    const event = sqsEvent(upload('a'), upload('b'), upload('c'));
    const result = await handleIngestBatch(event, deps, () => left.shift() ?? 0);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm3' }]);
    expect(sagemaker.commandCalls(InvokeEndpointAsyncCommand)).toHaveLength(2);
    expect([...table.items.values()].filter((r) => r.sourceKey === 'input/c.txt')).toEqual([]); // not even claimed
    expect(logs).toContainEqual(['warn', 'not enough time left for another message; handing it back to the queue', expect.objectContaining({ messageId: 'm3', remainingMs: 120_000 })]);
  });

  test('the first message is always started, and so is one on its last delivery', async () => {
    const event = sqsEvent(upload('first'), upload('last-chance'));
    event.Records[1].attributes.ApproximateReceiveCount = '5';
    const result = await handleIngestBatch(event, deps, () => 1_000);
    expect(result.batchItemFailures).toEqual([]);
    expect(sagemaker.commandCalls(InvokeEndpointAsyncCommand)).toHaveLength(2);
  });
});
