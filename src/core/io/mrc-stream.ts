// An MRC micrograph read in bands of rows straight into its working-scale reduction, so the
// full-resolution image is never resident (the CLI's path: a 4096x4096 float32 micrograph is
// 64 MiB, the reduction at scale 10 well under 1 MiB). Same pixels, notes and errors as readMrc.
import { MicrographError, throwIfAborted } from '../errors';
import { Reducer, type ReducedImage } from '../preprocess/reduce';
import type { ByteReader } from './byte-reader';
import type { OpenedMicrograph } from './micrograph-source';
import {
  MRC_HEADER_BYTES,
  mrcDescription,
  mrcFloat32View,
  mrcVoxelBytes,
  planMrcRead,
  readMrcHeader,
  readMrcVoxels,
  scaleInPlace,
  type ReadMrcOptions,
} from './mrc';

/** Bytes of one band read from the file (per section); rounded to whole blocks of rows. */
export const STREAM_BAND_BYTES = 2 ** 20;

export async function openMrcStream(
  reader: ByteReader,
  fileName: string,
  opts: ReadMrcOptions & { bandBytes?: number } = {},
): Promise<OpenedMicrograph> {
  // Its pixels stay in the file until reduce() reads them.
  if (reader.size === 0) throw new MicrographError('empty-file', 'the file is empty (0 bytes)', fileName);
  const head = await reader.read(0, Math.min(reader.size, MRC_HEADER_BYTES));
  const headCopy = head.slice().buffer as ArrayBuffer; // the reader's view is reused by the next read
  const plan = planMrcRead(readMrcHeader(headCopy, fileName, reader.size), fileName, opts);
  const { nx, ny, dataOffset } = plan.header;
  const voxelBytes = mrcVoxelBytes(plan);
  const planeBytes = nx * ny * voxelBytes;
  const bandBytes = opts.bandBytes ?? STREAM_BAND_BYTES;

  async function reduce(scale: number, signal?: AbortSignal): Promise<ReducedImage> {
    const reducer = new Reducer(nx, ny, scale);
    const bandRows = Math.max(scale, Math.floor(bandBytes / (nx * voxelBytes) / scale) * scale);
    let band: Float32Array | undefined; // only when the voxels need converting
    for (let y0 = 0; y0 < ny; y0 += bandRows) {
      throwIfAborted(signal);
      const rows = Math.min(bandRows, ny - y0);
      const n = rows * nx;
      const at = (k: number) => dataOffset + plan.sections[k] * planeBytes + y0 * nx * voxelBytes;
      const first = await reader.read(at(0), n * voxelBytes);
      // Native float32 is reduced straight from the bytes read: no band copy at all.
      let out = mrcFloat32View(plan, first.buffer as ArrayBuffer, first.byteOffset, n);
      if (!out) {
        band ??= new Float32Array(Math.min(bandRows, ny) * nx);
        out = band.subarray(0, n);
        readMrcVoxels(plan, first.buffer as ArrayBuffer, first.byteOffset, out, false);
        for (let k = 1; k < plan.sections.length; k++) {
          const bytes = await reader.read(at(k), n * voxelBytes);
          readMrcVoxels(plan, bytes.buffer as ArrayBuffer, bytes.byteOffset, out, true);
        }
        if (plan.sections.length > 1) scaleInPlace(out, 1 / plan.sections.length);
      }
      reducer.addRows(out);
    }
    return reducer.result();
  }

  return { ...mrcDescription(plan), width: nx, height: ny, reduce };
}
