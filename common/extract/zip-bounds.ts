import { inflateRawSync } from 'zlib';

/**
 * Checks a ZIP archive (a Word .docx is one) before anything unpacks it: how many entries it
 * has and how large they are once inflated. The sizes an archive declares can lie (a "zip bomb"
 * declares a few bytes and inflates to gigabytes), so every entry is inflated here with Node's
 * `maxOutputLength` set to what it declares: nothing is ever held beyond the limit, and an entry
 * that inflates past its declared size is refused. Layout from PKWARE's APPNOTE.TXT (4.3.12
 * central directory header, 4.3.16 end of central directory record, 4.3.7 local file header).
 */
export interface ZipLimits {
  readonly maxEntries: number;
  readonly maxUncompressedBytes: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const ZIP64_MARKER = 0xffffffff;
const STORED = 0;
const DEFLATED = 8;

/** Why the archive is refused, or undefined when it is within the limits. */
export function zipBoundsProblem(bytes: Uint8Array, limits: ZipLimits, what = 'the archive'): string | undefined {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end record is the last 22 bytes plus a comment of at most 65535 bytes.
  let eocd = -1;
  for (let i = view.length - 22; i >= Math.max(0, view.length - 22 - 65_535); i--) {
    if (view.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return `${what} could not be read (not a ZIP archive: no end of central directory)`;
  const entries = view.readUInt16LE(eocd + 10);
  const centralOffset = view.readUInt32LE(eocd + 16);
  if (entries === 0xffff || centralOffset === ZIP64_MARKER) return `${what} is a ZIP64 archive, which no Word document needs`;
  if (entries > limits.maxEntries) return `${what} has ${entries} entries; at most ${limits.maxEntries} are read (limit maxDocxEntries)`;

  let declaredTotal = 0;
  let actualTotal = 0;
  let at = centralOffset;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > view.length || view.readUInt32LE(at) !== CENTRAL) return `${what} could not be read (a damaged ZIP central directory)`;
    const method = view.readUInt16LE(at + 10);
    const compressed = view.readUInt32LE(at + 20);
    const declared = view.readUInt32LE(at + 24);
    const nameLength = view.readUInt16LE(at + 28);
    const next = at + 46 + nameLength + view.readUInt16LE(at + 30) + view.readUInt16LE(at + 32);
    const local = view.readUInt32LE(at + 42);
    if (compressed === ZIP64_MARKER || declared === ZIP64_MARKER) return `${what} is a ZIP64 archive, which no Word document needs`;
    declaredTotal += declared;
    if (declaredTotal > limits.maxUncompressedBytes) return expandsBeyond(what, limits);
    if (local + 30 > view.length || view.readUInt32LE(local) !== LOCAL) return `${what} could not be read (a damaged ZIP entry)`;
    const dataStart = local + 30 + view.readUInt16LE(local + 26) + view.readUInt16LE(local + 28);
    const data = view.subarray(dataStart, dataStart + compressed);
    if (data.length !== compressed) return `${what} could not be read (the ZIP archive is truncated)`;
    if (method === STORED) {
      if (compressed !== declared) return `${what} could not be read (a stored ZIP entry whose sizes disagree)`;
      actualTotal += declared;
    } else if (method === DEFLATED) {
      try {
        actualTotal += inflateRawSync(data, { maxOutputLength: Math.max(1, declared) }).length;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
          return `${what} has an entry that inflates past the size it declares (${declared} bytes): a ZIP bomb?`;
        }
        return `${what} could not be read (a ZIP entry cannot be inflated: ${(e as Error).message})`;
      }
    } else {
      return `${what} uses ZIP compression method ${method}, which Word does not write`;
    }
    if (actualTotal > limits.maxUncompressedBytes) return expandsBeyond(what, limits);
    at = next;
  }
  return undefined;
}

const expandsBeyond = (what: string, limits: ZipLimits) =>
  `${what} would expand to more than ${limits.maxUncompressedBytes} bytes; Word documents are read up to that (limit maxDocxUncompressedBytes)`;
