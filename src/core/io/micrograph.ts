// One entry point for every micrograph file: picks the reader by magic bytes first, then by
// file extension, and returns the same Micrograph (micrograph-source.ts) whatever the format.
import { MicrographError } from '../errors';
import { sniffMagic } from './magic';
import type { ByteReader } from './byte-reader';
import { dotted } from '../file-names';
import { formatFromFileName, micrographExtensionList, MICROGRAPH_FORMATS, type MicrographFormat } from './formats';
import { readMrc } from './mrc';
import { checkFrame, type Micrograph, type OpenedMicrograph } from './micrograph-source';
import { openMrcStream } from './mrc-stream';
import { decodeRaster } from './raster';
import { readTiff } from './tiff';

export { formatFromFileName, isMicrographFileName, MICROGRAPH_EXTENSIONS, type MicrographFormat } from './formats';
export { decodedMicrograph, type Micrograph, type MicrographDescription, type OpenedMicrograph } from './micrograph-source';

export interface DecodeOptions {
  /** 0-based frame of a stack / page of a multi-page TIFF; default: average them all. */
  frame?: number;
  /** Force MRC mode-0 bytes signed or unsigned (see mrc.ts). */
  mode0Signed?: boolean;
}

/** The ArrayBuffer behind `bytes` without copying when it covers the buffer exactly (Node's
 * fs.readFile of a large file), else a copy of just those bytes (not `bytes.slice()`: a Node
 * Buffer's slice is a view of its pool, so an empty file would hand on 8 KiB of stale bytes). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const b = bytes.buffer;
  if (b instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === b.byteLength) return b;
  return new Uint8Array(bytes).buffer;
}

/** The reader for a file: magic bytes win over the extension. */
function chooseFormat(head: Uint8Array, fileName: string): { format?: MicrographFormat; magic: ReturnType<typeof sniffMagic> } {
  const magic = sniffMagic(head);
  if (magic === 'tiff' || magic === 'png' || magic === 'jpeg' || magic === 'mrc') return { format: magic, magic };
  return { format: formatFromFileName(fileName), magic };
}

/** Reads any supported micrograph. Magic bytes win over the extension. */
export async function decodeMicrograph(buffer: ArrayBuffer, fileName: string, opts: DecodeOptions = {}): Promise<Micrograph> {
  const m = await decodeAnyFormat(buffer, fileName, opts);
  // Nothing to show or pick: said here, naming the file, not by the first step that needs a number.
  if (!m.image.data.some(Number.isFinite))
    throw new MicrographError('decode-failed', 'no pixel holds a number (every one is NaN or infinite)', fileName);
  return m;
}

async function decodeAnyFormat(buffer: ArrayBuffer, fileName: string, opts: DecodeOptions): Promise<Micrograph> {
  if (buffer.byteLength === 0) throw new MicrographError('empty-file', 'the file is empty (0 bytes)', fileName);
  const { format, magic } = chooseFormat(new Uint8Array(buffer, 0, Math.min(buffer.byteLength, 1024)), fileName);
  switch (format) {
    case 'mrc':
      return readMrc(buffer, fileName, { frame: opts.frame, mode0Signed: opts.mode0Signed });
    case 'tiff':
      if (magic !== 'tiff')
        throw new MicrographError(
          'decode-failed',
          `named ${dotted(MICROGRAPH_FORMATS.tiff.extensions, '/')} but it does not start with a TIFF signature (II*\\0 or MM\\0*)`,
          fileName,
        );
      return readTiff(buffer, fileName, { frame: opts.frame });
    case 'png':
    case 'jpeg':
      if (magic !== format)
        throw new MicrographError(
          'decode-failed',
          `named as ${format.toUpperCase()} but it does not start with a ${format.toUpperCase()} signature`,
          fileName,
        );
      if (opts.frame !== undefined) checkFrame(opts.frame, 1, fileName);
      return decodeRaster(buffer, fileName, format);
    default:
      throw new MicrographError(
        'unsupported-format',
        `not a micrograph format this program reads; supported: ${micrographExtensionList()}`,
        fileName,
      );
  }
}

/**
 * Opens a micrograph for picking. An MRC is streamed: only its header is read now, and its
 * pixels go straight into the working-scale reduction when the pick needs them, so the
 * full-resolution image is never held. Other formats are read and decoded whole.
 */
export async function openMicrograph(reader: ByteReader, fileName: string, opts: DecodeOptions = {}): Promise<OpenedMicrograph> {
  // An empty file: both readers below say so.
  const head = await reader.read(0, Math.min(reader.size, 1024));
  if (chooseFormat(head, fileName).format === 'mrc')
    return openMrcStream(reader, fileName, { frame: opts.frame, mode0Signed: opts.mode0Signed });
  return decodeMicrograph(toArrayBuffer(await reader.read(0, reader.size)), fileName, opts);
}
