import * as fs from 'fs';
import { CliError } from './stack-outputs';

export type SubmissionMode = 'pipeline' | 'direct';
export type EntryStatus = 'submitted' | 'already-submitted' | 'rejected' | 'failed' | 'would-submit';

/** One file of a batch and what became of it. */
export interface ManifestEntry {
  readonly file: string;
  readonly status: EntryStatus;
  readonly key?: string;
  readonly inferenceId?: string;
  readonly outputLocation?: string;
  readonly failureLocation?: string;
  /** Why a file was rejected or its submission failed. */
  readonly reason?: string;
  readonly submittedAt?: string;
  /** What the file was and what was extracted from it. */
  readonly format?: string;
  readonly pages?: number;
  readonly characters?: number;
}

/** What `submit` did, and what `wait` needs to find the results. */
export interface Manifest {
  readonly version: 1;
  readonly stackName: string;
  readonly bucket: string;
  readonly endpointName: string;
  readonly mode: SubmissionMode;
  readonly tableName?: string;
  readonly entries: ManifestEntry[];
}

export function readManifest(file: string): Manifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(`cannot read manifest "${file}" (${(e as Error).message}).`);
  }
  const m = parsed as Manifest;
  if (m?.version !== 1 || !Array.isArray(m.entries) || (m.mode !== 'pipeline' && m.mode !== 'direct')) {
    throw new CliError(`"${file}" is not a summarizer manifest (version 1).`);
  }
  return m;
}

/** Writes atomically, so an interrupted run never leaves half a manifest. */
export function writeManifest(file: string, manifest: Manifest): void {
  const temporary = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(temporary, `${JSON.stringify(manifest, null, 2)}\n`);
  fs.renameSync(temporary, file);
}
