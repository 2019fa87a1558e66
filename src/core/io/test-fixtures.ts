// Builders of small MRC and TIFF files for the io tests (not used by the app).
// MRC layout: MRC2014 spec (ccpem.ac.uk/mrc_format/mrc2014.php); TIFF: TIFF 6.0 baseline,
// uncompressed, one strip per page.

export interface MrcSpec {
  nx: number;
  ny: number;
  nz?: number;
  mode: number;
  /** Raw values in the mode's type; for mode 12 the 16-bit IEEE half patterns. */
  values?: ArrayLike<number>;
  littleEndian?: boolean;
  /** Machine stamp to write: the matching one (default), the other one, or zeros. */
  stamp?: 'match' | 'none' | 'wrong';
  mapTag?: boolean;
  nsymbt?: number;
  mx?: number;
  cella?: [number, number, number];
  dmin?: number;
  dmax?: number;
  imodFlags?: number;
  /** Cut the file to this many bytes (truncated-file tests). */
  truncateTo?: number;
}

const BPV: Record<number, number> = { 0: 1, 1: 2, 2: 4, 6: 2, 12: 2, 3: 4, 4: 8 };

export function buildMrc(s: MrcSpec): ArrayBuffer {
  const nz = s.nz ?? 1;
  const le = s.littleEndian ?? true;
  const nsymbt = s.nsymbt ?? 0;
  const n = s.nx * s.ny * nz;
  const bpv = BPV[s.mode] ?? 4;
  const size = 1024 + nsymbt + Math.max(0, n) * bpv;
  const buf = new ArrayBuffer(s.truncateTo ?? size);
  const full = new ArrayBuffer(size);
  const v = new DataView(full);
  const i32 = (w: number, x: number) => v.setInt32((w - 1) * 4, x, le);
  const f32 = (w: number, x: number) => v.setFloat32((w - 1) * 4, x, le);
  i32(1, s.nx);
  i32(2, s.ny);
  i32(3, nz);
  i32(4, s.mode);
  i32(8, s.mx ?? s.nx);
  i32(9, s.ny);
  i32(10, nz);
  const cella = s.cella ?? [0, 0, 0];
  f32(11, cella[0]);
  f32(12, cella[1]);
  f32(13, cella[2]);
  f32(20, s.dmin ?? 0);
  f32(21, s.dmax ?? 0);
  i32(24, nsymbt);
  if (s.imodFlags !== undefined) {
    i32(39, 1146047817);
    i32(40, s.imodFlags);
  }
  const bytes = new Uint8Array(full);
  if (s.mapTag ?? true) bytes.set([0x4d, 0x41, 0x50, 0x20], 208);
  const stamp = s.stamp ?? 'match';
  if (stamp !== 'none') {
    const isLe = stamp === 'match' ? le : !le;
    bytes.set(isLe ? [0x44, 0x44, 0, 0] : [0x11, 0x11, 0, 0], 212);
  }
  for (let i = 0; i < nsymbt; i++) bytes[1024 + i] = 0xab; // junk that must be skipped
  const vals = s.values ?? [];
  const off = 1024 + nsymbt;
  for (let i = 0; i < vals.length && i < n; i++) {
    const at = off + i * bpv;
    const x = vals[i];
    switch (s.mode) {
      case 0:
        v.setUint8(at, x & 0xff);
        break;
      case 1:
        v.setInt16(at, x, le);
        break;
      case 2:
        v.setFloat32(at, x, le);
        break;
      case 6:
      case 12:
        v.setUint16(at, x, le);
        break;
    }
  }
  new Uint8Array(buf).set(bytes.subarray(0, buf.byteLength));
  return buf;
}

export interface TiffPageSpec {
  width: number;
  height: number;
  /** Sample values, row-major, samplesPerPixel interleaved. */
  values: ArrayLike<number>;
  bitsPerSample: 8 | 16 | 32;
  /** 1 uint, 2 int, 3 float. */
  sampleFormat: 1 | 2 | 3;
  samplesPerPixel?: 1 | 3;
}

/** A baseline uncompressed TIFF (classic, not BigTIFF) with one strip per page. */
export function buildTiff(pages: TiffPageSpec[], littleEndian = true): ArrayBuffer {
  const chunks: Uint8Array[] = [];
  let pos = 0;
  const push = (u: Uint8Array) => {
    chunks.push(u);
    pos += u.length;
  };
  const header = new DataView(new ArrayBuffer(8));
  header.setUint8(0, littleEndian ? 0x49 : 0x4d);
  header.setUint8(1, littleEndian ? 0x49 : 0x4d);
  header.setUint16(2, 42, littleEndian);
  push(new Uint8Array(header.buffer));
  const nextPointers: { chunk: DataView; at: number }[] = [{ chunk: header, at: 4 }];

  for (const p of pages) {
    const spp = p.samplesPerPixel ?? 1;
    const bytesPer = p.bitsPerSample / 8;
    const n = p.width * p.height * spp;
    const data = new DataView(new ArrayBuffer(n * bytesPer + ((n * bytesPer) % 2)));
    for (let i = 0; i < n; i++) {
      const x = p.values[i];
      const at = i * bytesPer;
      if (p.sampleFormat === 3) data.setFloat32(at, x, littleEndian);
      else if (p.bitsPerSample === 8) data.setUint8(at, x & 0xff);
      else if (p.bitsPerSample === 16) data.setUint16(at, x & 0xffff, littleEndian);
      else data.setUint32(at, x >>> 0, littleEndian);
    }
    const dataAt = pos;
    push(new Uint8Array(data.buffer));
    // Per-sample SHORT arrays (BitsPerSample, SampleFormat) do not fit in the entry for RGB.
    let bpsAt = 0;
    let sfAt = 0;
    if (spp === 3) {
      const arrays = new DataView(new ArrayBuffer(12));
      for (let k = 0; k < 3; k++) {
        arrays.setUint16(k * 2, p.bitsPerSample, littleEndian);
        arrays.setUint16(6 + k * 2, p.sampleFormat, littleEndian);
      }
      bpsAt = pos;
      sfAt = pos + 6;
      push(new Uint8Array(arrays.buffer));
    }
    // [tag, type, count, value]; type 3 SHORT, 4 LONG. Tags ascending, as TIFF 6.0 requires.
    const entries: [number, number, number, number][] = [
      [256, 4, 1, p.width],
      [257, 4, 1, p.height],
      [258, 3, spp, spp === 3 ? bpsAt : p.bitsPerSample],
      [259, 3, 1, 1],
      [262, 3, 1, spp === 3 ? 2 : 1],
      [273, 4, 1, dataAt],
      [277, 3, 1, spp],
      [278, 4, 1, p.height],
      [279, 4, 1, n * bytesPer],
      [284, 3, 1, 1],
      [339, 3, spp, spp === 3 ? sfAt : p.sampleFormat],
    ];
    const ifd = new DataView(new ArrayBuffer(2 + entries.length * 12 + 4));
    ifd.setUint16(0, entries.length, littleEndian);
    entries.forEach(([tag, type, count, value], i) => {
      const e = 2 + i * 12;
      ifd.setUint16(e, tag, littleEndian);
      ifd.setUint16(e + 2, type, littleEndian);
      ifd.setUint32(e + 4, count, littleEndian);
      // A SHORT that fits in the value field sits in its first two bytes.
      if (type === 3 && count === 1) ifd.setUint16(e + 8, value, littleEndian);
      else ifd.setUint32(e + 8, value, littleEndian);
    });
    const prev = nextPointers[nextPointers.length - 1];
    prev.chunk.setUint32(prev.at, pos, littleEndian);
    nextPointers.push({ chunk: ifd, at: 2 + entries.length * 12 });
    push(new Uint8Array(ifd.buffer));
  }
  const out = new Uint8Array(pos);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out.buffer;
}

/** A tiny valid PNG signature + IHDR start, enough for magic-byte sniffing. */
export function pngSignatureBytes(): ArrayBuffer {
  return new Uint8Array([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 4, 0, 0, 0, 4, 8, 0, 0, 0, 0,
  ]).buffer;
}
