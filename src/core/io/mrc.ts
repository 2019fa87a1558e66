// MRC / MRC2014 micrograph reading and writing.
// Source of the layout: the MRC2014 format specification, https://www.ccpem.ac.uk/mrc_format/mrc2014.php
// (Cheng et al., J. Struct. Biol. 192:146, 2015). The header is 1024 bytes of 4-byte words
// (word N starts at byte 4*(N-1)); an extended header of NSYMBT bytes follows, then the data.
// IMOD's extension (imodStamp, imodFlags in words 39/40) is from the IMOD "MRC file format"
// page, https://bio3d.colorado.edu/imod/doc/mrc_format.txt.
//
// Mode 0 signedness: MRC2014 says mode 0 is signed int8, but IMOD before 4.2.23 and many
// older programs wrote unsigned bytes. The choice, in order: the caller's `mode0Signed`;
// the IMOD stamp (flags bit 0 set = signed); the header's DMIN/DMAX (DMIN < 0 means signed,
// DMAX > 127 means unsigned); otherwise signed, as MRC2014 says. The note says which applied.
import { MicrographError, ParameterError } from '../errors';
import { createImage, imageStats, type Image2D } from '../image';
import { describeKind, sniffMagic } from './magic';
import { formatPixelSize, isPlausiblePixelSize, PLAUSIBLE_PIXEL_SIZE } from '../pixel-size';
import { averagedNote, checkFrame, decodedMicrograph, type Micrograph, type MicrographDescription } from './micrograph-source';

export const MRC_HEADER_BYTES = 1024;
/** Largest side accepted, in pixels. */
export const MRC_MAX_SIDE = 65536;
/** Largest frame accepted, in pixels: 2^31 / 4 (one float32 plane under 2 GiB). */
export const MRC_MAX_PIXELS = 2 ** 31 / 4;
/** Largest number of sections (frames, particles of a .mrcs stack). */
export const MRC_MAX_SECTIONS = 2 ** 24;

/** IMOD's stamp in word 39 ('IMOD' read as a little-endian int32), per the IMOD page. */
const IMOD_STAMP = 1146047817;

export type MrcMode = 0 | 1 | 2 | 6 | 12;

const MODE_NAMES: Record<number, string> = {
  0: 'int8',
  1: 'int16',
  2: 'float32',
  3: 'complex int16',
  4: 'complex float32',
  6: 'uint16',
  12: 'float16',
  101: '4-bit packed',
};

const BYTES_PER_VOXEL: Record<MrcMode, number> = { 0: 1, 1: 2, 2: 4, 6: 2, 12: 2 };

export interface MrcHeader {
  nx: number;
  ny: number;
  nz: number;
  mode: number;
  /** Sampling along x, y, z (words 8-10). */
  mx: number;
  my: number;
  mz: number;
  /** Cell dimensions in Angstrom (words 11-13). */
  cella: [number, number, number];
  dmin: number;
  dmax: number;
  dmean: number;
  rms: number;
  /** Extended header size in bytes (word 24). */
  nsymbt: number;
  /** MRC2014 version (word 28), e.g. 20140; 0 in older files. */
  nversion: number;
  /** Extended header type (word 27), e.g. 'FEI1', 'SERI'; '' when blank. */
  exttyp: string;
  littleEndian: boolean;
  /** 'stamp' when the machine stamp told the byte order, 'guessed' when plausibility did. */
  endianSource: 'stamp' | 'guessed';
  /** Whether 'MAP ' is present at byte 208 (absent in pre-2000 files). */
  hasMapTag: boolean;
  /** IMOD stamp present (word 39), and IMOD flags (word 40). */
  imod: boolean;
  imodFlags: number;
  /** Byte offset of the first voxel: 1024 + nsymbt. */
  dataOffset: number;
  /** Angstrom per pixel = cella.x / mx, when both are positive and finite. */
  pixelSize?: number;
}

export interface ReadMrcOptions {
  /** Read only this section (0-based) of a stack instead of averaging all of them. */
  frame?: number;
  /** Force mode-0 bytes to be read as signed (true) or unsigned (false). */
  mode0Signed?: boolean;
}

export interface WriteMrcOptions {
  /** Angstrom per pixel; written as cella = pixelSize * size. Omitted: cella = 0 (unknown). */
  pixelSize?: number;
  /**
   * 2 = float32 (default); 12 = float16 (half the size, ~3 significant digits; RELION reads it
   * from 4.0 on); 1 = int16, values rounded (half the size; for counts, read by every program).
   */
  mode?: 1 | 2 | 12;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

const modeName = (mode: number): string => MODE_NAMES[mode] ?? `mode ${mode}`;

function isSupportedMode(mode: number): mode is MrcMode {
  return mode === 0 || mode === 1 || mode === 2 || mode === 6 || mode === 12;
}

function dimsPlausible(nx: number, ny: number, nz: number): boolean {
  return nx >= 1 && nx <= MRC_MAX_SIDE && ny >= 1 && ny <= MRC_MAX_SIDE && nz >= 1 && nz <= MRC_MAX_SECTIONS;
}

function modeKnown(mode: number): boolean {
  return mode in MODE_NAMES;
}

/** Picks the byte order: the machine stamp when it is one of the two defined ones and the
 * header reads sensibly that way; otherwise whichever order gives sensible numbers. */
function chooseEndianness(view: DataView, fileName: string, bytes: Uint8Array): { le: boolean; source: 'stamp' | 'guessed' } {
  const stamp = view.getUint8(212);
  const stampLe = stamp === 0x44 ? true : stamp === 0x11 ? false : undefined;
  const order = stampLe === false ? [false, true] : [true, false];
  const read = (le: boolean) => ({
    dims: dimsPlausible(view.getInt32(0, le), view.getInt32(4, le), view.getInt32(8, le)),
    mode: modeKnown(view.getInt32(12, le)),
  });
  const cand = order.map((le) => ({ le, ...read(le) }));
  const source = (le: boolean): 'stamp' | 'guessed' => (stampLe === le ? 'stamp' : 'guessed');
  for (const test of [(c: (typeof cand)[0]) => c.dims && c.mode, (c: (typeof cand)[0]) => c.dims, (c: (typeof cand)[0]) => c.mode]) {
    const hit = cand.find(test);
    if (hit) return { le: hit.le, source: source(hit.le) };
  }
  // Nothing reads sensibly: keep going only when the file says it is an MRC (so the user
  // gets the specific dimension error); otherwise it is not an MRC at all.
  if (stampLe !== undefined || hasMapTag(bytes)) return { le: order[0], source: stampLe !== undefined ? 'stamp' : 'guessed' };
  throw new MicrographError(
    'not-mrc',
    `this is not an MRC file: the header has no 'MAP ' tag and its size and mode words ` +
      `(${view.getInt32(0, true)} x ${view.getInt32(4, true)} x ${view.getInt32(8, true)}, mode ${view.getInt32(12, true)}) make no sense in either byte order`,
    fileName,
  );
}

function hasMapTag(bytes: Uint8Array): boolean {
  return bytes.length >= 212 && bytes[208] === 0x4d && bytes[209] === 0x41 && bytes[210] === 0x50 && bytes[211] === 0x20;
}

function rejectOtherFormats(bytes: Uint8Array, fileName: string): void {
  if (hasMapTag(bytes)) return;
  const kind = sniffMagic(bytes);
  if (!kind || kind === 'mrc') return;
  // gzip (1F 8B) and BMP ('BM') have 2-byte signatures that a little-endian nx can match.
  if ((kind === 'gzip' || kind === 'bmp') && bytes.length >= 16) {
    const v = new DataView(bytes.buffer, bytes.byteOffset, 16);
    if (dimsPlausible(v.getInt32(0, true), v.getInt32(4, true), v.getInt32(8, true)) && modeKnown(v.getInt32(12, true))) return;
  }
  throw new MicrographError('not-mrc', `this looks like ${describeKind(kind)}, not an MRC file`, fileName);
}

/** Parses and validates the 1024-byte header at the start of `buffer`; checks the sizes it
 * declares against the file's length, `total` (default: the buffer holds the whole file). */
export function readMrcHeader(buffer: ArrayBuffer, fileName: string, total = buffer.byteLength): MrcHeader {
  if (total === 0) throw new MicrographError('empty-file', 'the file is empty (0 bytes)', fileName);
  const bytes = new Uint8Array(buffer, 0, Math.min(total, buffer.byteLength, MRC_HEADER_BYTES));
  rejectOtherFormats(bytes, fileName);
  if (total < MRC_HEADER_BYTES)
    throw new MicrographError(
      'truncated',
      `the file is ${fmt(total)} bytes, shorter than the ${fmt(MRC_HEADER_BYTES)}-byte MRC header`,
      fileName,
    );
  const view = new DataView(buffer, 0, MRC_HEADER_BYTES);
  const { le, source } = chooseEndianness(view, fileName, bytes);
  const i32 = (word: number) => view.getInt32((word - 1) * 4, le);
  const f32 = (word: number) => view.getFloat32((word - 1) * 4, le);

  const nx = i32(1);
  const ny = i32(2);
  const nz = i32(3);
  const mode = i32(4);
  if (!dimsPlausible(nx, ny, nz) || nx * ny > MRC_MAX_PIXELS)
    throw new MicrographError(
      'bad-dimensions',
      `header says ${nx} x ${ny} x ${nz} pixels; each side must be 1..${fmt(MRC_MAX_SIDE)}, ` +
        `sections 1..${fmt(MRC_MAX_SECTIONS)}, and a frame at most ${fmt(MRC_MAX_PIXELS)} pixels`,
      fileName,
    );
  if (!isSupportedMode(mode)) {
    const why = mode === 3 || mode === 4 ? ' (complex Fourier data, not an image)' : '';
    throw new MicrographError(
      'unsupported-mode',
      `MRC mode ${mode} (${modeName(mode)})${why} is not supported; supported modes are 0 (int8), 1 (int16), 2 (float32), 6 (uint16) and 12 (float16)`,
      fileName,
    );
  }
  const nsymbt = i32(24);
  if (nsymbt < 0) throw new MicrographError('not-mrc', `header declares a negative extended header size (${nsymbt} bytes)`, fileName);
  const dataOffset = MRC_HEADER_BYTES + nsymbt;
  const bpv = BYTES_PER_VOXEL[mode];
  const dataBytes = nx * ny * nz * bpv;
  if (dataOffset + dataBytes > total) {
    const ext = nsymbt > 0 ? ` after a ${fmt(nsymbt)}-byte extended header` : '';
    throw new MicrographError(
      'truncated',
      `header says ${nx}x${ny}x${nz} ${modeName(mode)} (${fmt(dataBytes)} bytes of data${ext}), ` +
        `file holds ${fmt(Math.max(0, total - dataOffset))} bytes of data`,
      fileName,
    );
  }

  const mx = i32(8);
  const cella: [number, number, number] = [f32(11), f32(12), f32(13)];
  const pixelSize = mx > 0 && cella[0] > 0 && Number.isFinite(cella[0]) ? cella[0] / mx : undefined;
  const exttyp = String.fromCharCode(...new Uint8Array(buffer, 104, 4)).replace(/[^\x21-\x7e]/g, '');
  return {
    nx,
    ny,
    nz,
    mode,
    mx,
    my: i32(9),
    mz: i32(10),
    cella,
    dmin: f32(20),
    dmax: f32(21),
    dmean: f32(22),
    rms: f32(55),
    nsymbt,
    nversion: i32(28),
    exttyp,
    littleEndian: le,
    endianSource: source,
    hasMapTag: hasMapTag(bytes),
    imod: i32(39) === IMOD_STAMP,
    imodFlags: i32(40),
    dataOffset,
    pixelSize,
  };
}

/** Decides how mode-0 bytes are read; see the comment at the top of this file. */
function mode0Signedness(h: MrcHeader, forced?: boolean): { signed: boolean; why: string } {
  if (forced !== undefined) return { signed: forced, why: 'as requested' };
  if (h.imod) return { signed: (h.imodFlags & 1) === 1, why: 'per the IMOD flags' };
  if (h.dmin < 0) return { signed: true, why: 'header minimum is negative' };
  if (h.dmax > 127) return { signed: false, why: 'header maximum is above 127' };
  return { signed: true, why: 'MRC2014 default' };
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

let halfTable: Float32Array | undefined;

/** IEEE 754 binary16 -> float for every 16-bit pattern (256 KiB, built once). */
function float16Table(): Float32Array {
  if (halfTable) return halfTable;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) t[h] = sign * frac * 2 ** -24;
    else if (exp === 31) t[h] = frac ? NaN : sign * Infinity;
    else t[h] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  halfTable = t;
  return t;
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** float -> IEEE 754 binary16 bits, rounding to nearest even; overflow gives infinity. */
export function floatToHalf(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const frac = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (frac ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half (or zero): shift the implicit-1 mantissa into place, rounding to even.
    if (e < -10) return sign;
    const m = frac | 0x800000;
    const shift = 14 - e;
    const half = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && half & 1) ? 1 : 0));
  }
  const half = (e << 10) | (frac >>> 13);
  const rest = frac & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
}

/** A typed-array view on the plane when the host can read it directly, else undefined. */
function nativeView(buffer: ArrayBuffer, offset: number, n: number, mode: MrcMode, le: boolean, signed: boolean) {
  if (mode === 0) return signed ? new Int8Array(buffer, offset, n) : new Uint8Array(buffer, offset, n);
  if (le !== HOST_LITTLE_ENDIAN) return undefined;
  const bpv = BYTES_PER_VOXEL[mode];
  if (offset % bpv !== 0) return undefined;
  if (mode === 1) return new Int16Array(buffer, offset, n);
  if (mode === 2) return new Float32Array(buffer, offset, n);
  return new Uint16Array(buffer, offset, n); // modes 6 and 12 (12 goes through the table)
}

/** Converts one plane into `out` (add = false) or adds it to `out` (add = true), in one
 * pass with no intermediate copy. Loops are spelled out per source type: a per-pixel closure
 * was ~1.5x slower (40-frame 4096x4096 int16 average: 2.0 s vs 1.3 s). */
function readPlane(
  buffer: ArrayBuffer,
  offset: number,
  mode: MrcMode,
  le: boolean,
  signed: boolean,
  out: Float32Array,
  add: boolean,
): void {
  const n = out.length;
  const src = nativeView(buffer, offset, n, mode, le, signed);
  if (src && mode !== 12) {
    if (add) for (let i = 0; i < n; i++) out[i] += src[i];
    else for (let i = 0; i < n; i++) out[i] = src[i];
    return;
  }
  if (src) {
    const t = float16Table();
    if (add) for (let i = 0; i < n; i++) out[i] += t[src[i]];
    else for (let i = 0; i < n; i++) out[i] = t[src[i]];
    return;
  }
  const v = new DataView(buffer, offset, n * BYTES_PER_VOXEL[mode]);
  if (mode === 1) {
    if (add) for (let i = 0; i < n; i++) out[i] += v.getInt16(i * 2, le);
    else for (let i = 0; i < n; i++) out[i] = v.getInt16(i * 2, le);
  } else if (mode === 2) {
    if (add) for (let i = 0; i < n; i++) out[i] += v.getFloat32(i * 4, le);
    else for (let i = 0; i < n; i++) out[i] = v.getFloat32(i * 4, le);
  } else if (mode === 6) {
    if (add) for (let i = 0; i < n; i++) out[i] += v.getUint16(i * 2, le);
    else for (let i = 0; i < n; i++) out[i] = v.getUint16(i * 2, le);
  } else {
    const t = float16Table();
    if (add) for (let i = 0; i < n; i++) out[i] += t[v.getUint16(i * 2, le)];
    else for (let i = 0; i < n; i++) out[i] = t[v.getUint16(i * 2, le)];
  }
}

/** How the pixels of an MRC are read: which sections, how mode-0 bytes are taken, and what
 * was decided on the user's behalf (Micrograph.note). Shared by readMrc and the streamed reader. */
export interface MrcReadPlan {
  header: MrcHeader;
  /** Sections averaged into the image (one when a frame is chosen). */
  sections: number[];
  signed: boolean;
  notes: string[];
  /** The header's pixel size when plausible (isPlausiblePixelSize), else undefined and refused says it. */
  pixelSize?: number;
  pixelSizeRefused?: number;
}

export function planMrcRead(h: MrcHeader, fileName: string, opts: ReadMrcOptions = {}): MrcReadPlan {
  const notes: string[] = [];
  let signed = true;
  if (h.mode === 0) {
    const s = mode0Signedness(h, opts.mode0Signed);
    signed = s.signed;
    notes.push(`mode 0 read as ${signed ? 'signed' : 'unsigned'} bytes (${s.why})`);
  }
  if (h.endianSource === 'guessed') notes.push(`byte order ${h.littleEndian ? 'little' : 'big'}-endian guessed (no valid machine stamp)`);
  const refused = h.pixelSize !== undefined && !isPlausiblePixelSize(h.pixelSize) ? h.pixelSize : undefined;
  if (refused !== undefined)
    notes.push(
      `the header's pixel size, ${formatPixelSize(refused)} Å/px, is none a micrograph has (${PLAUSIBLE_PIXEL_SIZE.min}-${PLAUSIBLE_PIXEL_SIZE.max}): taken as unknown`,
    );
  const sections: number[] = [];
  if (opts.frame === undefined) for (let z = 0; z < h.nz; z++) sections.push(z);
  else sections.push(opts.frame);
  if (opts.frame !== undefined) {
    checkFrame(opts.frame, h.nz, fileName);
    if (h.nz > 1) notes.push(`frame ${opts.frame} of ${h.nz}`);
  } else if (h.nz > 1) notes.push(averagedNote(h.nz, 'frames'));
  return { header: h, sections, signed, notes, pixelSize: refused === undefined ? h.pixelSize : undefined, pixelSizeRefused: refused };
}

/** Bytes per voxel of the plan's mode. */
export function mrcVoxelBytes(plan: MrcReadPlan): number {
  return BYTES_PER_VOXEL[plan.header.mode as MrcMode];
}

/** Converts out.length consecutive voxels starting at `offset` of `buffer` into `out`, or adds
 * them to it (add = true): any run of whole rows of a section, up to the whole section. */
export function readMrcVoxels(plan: MrcReadPlan, buffer: ArrayBuffer, offset: number, out: Float32Array, add: boolean): void {
  readPlane(buffer, offset, plan.header.mode as MrcMode, plan.header.littleEndian, plan.signed, out, add);
}

/** The voxels as a Float32Array view on `buffer`, without copying, when the plan reads one
 * native-endian, 4-byte-aligned float32 section; otherwise undefined (convert them). */
export function mrcFloat32View(plan: MrcReadPlan, buffer: ArrayBuffer, offset: number, n: number): Float32Array | undefined {
  const { header: h, sections } = plan;
  return sections.length === 1 && h.mode === 2 && h.littleEndian === HOST_LITTLE_ENDIAN && offset % 4 === 0
    ? new Float32Array(buffer, offset, n)
    : undefined;
}

/** Micrograph fields that describe the file rather than its pixels. */
export function mrcDescription(plan: MrcReadPlan): MicrographDescription {
  const h = plan.header;
  return {
    pixelSize: plan.pixelSize,
    ...(plan.pixelSizeRefused !== undefined ? { pixelSizeRefused: plan.pixelSizeRefused } : {}),
    frames: h.nz,
    averaged: plan.sections.length > 1,
    format: 'mrc',
    note: plan.notes.length ? plan.notes.join('; ') : undefined,
  };
}

/** Reads an MRC micrograph. A stack is averaged unless `frame` picks one section. A native-
 * endian, 4-byte-aligned float32 section is returned as a view on `buffer` (zero copy). */
export function readMrc(buffer: ArrayBuffer, fileName: string, opts: ReadMrcOptions = {}): Micrograph {
  const plan = planMrcRead(readMrcHeader(buffer, fileName), fileName, opts);
  const { header: h, sections } = plan;
  const plane = h.nx * h.ny;
  const planeBytes = plane * mrcVoxelBytes(plan);
  let data = mrcFloat32View(plan, buffer, h.dataOffset + sections[0] * planeBytes, plane);
  if (!data) {
    data = new Float32Array(plane);
    for (const [k, z] of sections.entries()) readMrcVoxels(plan, buffer, h.dataOffset + z * planeBytes, data, k > 0);
    if (sections.length > 1) scaleInPlace(data, 1 / sections.length);
  }
  return decodedMicrograph(createImage(h.nx, h.ny, data), mrcDescription(plan));
}

/** Multiplies every value by k (the frame average's last step, kept in one place so the
 * streamed reader rounds exactly as readMrc does). */
export function scaleInPlace(data: Float32Array, k: number): void {
  for (let i = 0; i < data.length; i++) data[i] *= k;
}

/** Writes a single-section MRC2014 file: mode 2 (float32), 12 (float16) or 1 (int16), little-endian, no extended header. */
export function writeMrc(image: Image2D, opts: WriteMrcOptions = {}): ArrayBuffer {
  const { width: nx, height: ny, data } = image;
  if (!Number.isInteger(nx) || !Number.isInteger(ny) || nx < 1 || ny < 1 || nx > MRC_MAX_SIDE || ny > MRC_MAX_SIDE)
    throw new ParameterError(`cannot write an MRC of ${nx} x ${ny} pixels; each side must be 1..${fmt(MRC_MAX_SIDE)}`);
  if (data.length !== nx * ny) throw new ParameterError(`image data has ${data.length} values, expected ${nx * ny}`);
  const ps = opts.pixelSize;
  if (ps !== undefined && !(ps > 0 && Number.isFinite(ps)))
    throw new ParameterError(`pixel size must be a positive number of Angstrom, got ${ps}`);

  const mode = opts.mode ?? 2;
  if (mode !== 1 && mode !== 2 && mode !== 12)
    throw new ParameterError(`cannot write MRC mode ${mode}; use 2 (float32), 12 (float16) or 1 (int16)`);
  const out = new ArrayBuffer(MRC_HEADER_BYTES + nx * ny * BYTES_PER_VOXEL[mode]);
  const v = new DataView(out);
  const i32 = (word: number, x: number) => v.setInt32((word - 1) * 4, x, true);
  const f32 = (word: number, x: number) => v.setFloat32((word - 1) * 4, x, true);
  const stats = imageStats(data);
  if (mode === 1 && (Math.round(stats.min) < -32768 || Math.round(stats.max) > 32767)) {
    throw new ParameterError(`values ${stats.min}..${stats.max} do not fit MRC mode 1 (int16, -32768..32767)`);
  }
  i32(1, nx);
  i32(2, ny);
  i32(3, 1);
  i32(4, mode);
  i32(8, nx);
  i32(9, ny);
  i32(10, 1);
  f32(11, ps ? ps * nx : 0);
  f32(12, ps ? ps * ny : 0);
  f32(13, ps ? ps : 0);
  f32(14, 90);
  f32(15, 90);
  f32(16, 90);
  i32(17, 1);
  i32(18, 2);
  i32(19, 3);
  f32(20, stats.min);
  f32(21, stats.max);
  f32(22, stats.mean);
  i32(23, 0); // ISPG 0: an image or image stack (MRC2014)
  i32(28, 20141);
  const bytes = new Uint8Array(out);
  bytes.set([0x4d, 0x41, 0x50, 0x20], 208); // 'MAP '
  bytes.set([0x44, 0x44, 0x00, 0x00], 212); // little-endian machine stamp
  f32(55, stats.std); // RMS deviation from the mean
  i32(56, 1);
  const label = 'drpnet-workbench';
  for (let i = 0; i < label.length; i++) bytes[224 + i] = label.charCodeAt(i);
  if (mode === 12) for (let i = 0; i < data.length; i++) v.setUint16(MRC_HEADER_BYTES + i * 2, floatToHalf(data[i]), true);
  else if (mode === 1) for (let i = 0; i < data.length; i++) v.setInt16(MRC_HEADER_BYTES + i * 2, Math.round(data[i]), true);
  else if (HOST_LITTLE_ENDIAN) new Float32Array(out, MRC_HEADER_BYTES, nx * ny).set(data);
  else for (let i = 0; i < data.length; i++) v.setFloat32(MRC_HEADER_BYTES + i * 4, data[i], true);
  return out;
}
