import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DrpnetError, MicrographError, ParameterError, type ErrorCode } from '../errors';
import { createImage } from '../image';
import { floatToHalf, MRC_MAX_PIXELS, readMrc, readMrcHeader, writeMrc } from './mrc';
import { buildMrc, buildTiff, pngSignatureBytes } from './test-fixtures';

const FILE = 'stack_0001.mrc';

function expectMicrographError(fn: () => unknown, code: ErrorCode, ...fragments: string[]): MicrographError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MicrographError);
    const err = e as MicrographError;
    expect(err.code).toBe(code);
    expect(err.file).toBe(FILE);
    expect(err.message).toContain(FILE);
    for (const f of fragments) expect(err.message).toContain(f);
    return err;
  }
  throw new Error(`expected a ${code} error`);
}

const values = (m: { image: { data: Float32Array } }) => Array.from(m.image.data);

describe('writeMrc -> readMrc', () => {
  it('round-trips pixels, size and pixel size', () => {
    const img = createImage(
      5,
      3,
      Float32Array.from({ length: 15 }, (_, i) => Math.sin(i) * 100 - 7.25),
    );
    const buf = writeMrc(img, { pixelSize: 1.34 });
    expect(buf.byteLength).toBe(1024 + 15 * 4);
    const m = readMrc(buf, FILE);
    expect(m.image.width).toBe(5);
    expect(m.image.height).toBe(3);
    expect(values(m)).toEqual(Array.from(img.data));
    expect(m.pixelSize).toBeCloseTo(1.34, 5);
    expect(m).toMatchObject({ frames: 1, averaged: false, format: 'mrc' });
    expect(m.note).toBeUndefined();
  });

  it('writes a proper MRC2014 header', () => {
    const img = createImage(2, 2, Float32Array.from([1, 2, 3, 6]));
    const buf = writeMrc(img, { pixelSize: 2 });
    const bytes = new Uint8Array(buf);
    expect(String.fromCharCode(...bytes.subarray(208, 212))).toBe('MAP ');
    expect(Array.from(bytes.subarray(212, 214))).toEqual([0x44, 0x44]);
    const h = readMrcHeader(buf, FILE);
    expect(h).toMatchObject({ nx: 2, ny: 2, nz: 1, mode: 2, mx: 2, my: 2, mz: 1, nsymbt: 0, nversion: 20141 });
    expect(h).toMatchObject({ littleEndian: true, endianSource: 'stamp', hasMapTag: true, dataOffset: 1024 });
    expect(h.cella).toEqual([4, 4, 2]);
    expect(h.dmin).toBe(1);
    expect(h.dmax).toBe(6);
    expect(h.dmean).toBe(3);
    expect(h.rms).toBeCloseTo(Math.sqrt((4 + 1 + 0 + 9) / 4), 6);
  });

  it('leaves the pixel size unknown when none is given', () => {
    const m = readMrc(writeMrc(createImage(3, 2)), FILE);
    expect(m.pixelSize).toBeUndefined();
  });

  it('writes mode 12 (float16) that reads back to the nearest half-precision value', () => {
    const img = createImage(4, 2, Float32Array.from([0, -0.5, 1, 65504, 1e-7, 3.14159, -2049, 70000]));
    const buf = writeMrc(img, { pixelSize: 1.5, mode: 12 });
    expect(buf.byteLength).toBe(1024 + 8 * 2);
    expect(readMrcHeader(buf, FILE).mode).toBe(12);
    // 1e-7 -> nearest subnormal 2^-24 * 2; pi -> 3.140625; -2049 ties to even -2048; 70000 overflows.
    expect(values(readMrc(buf, FILE))).toEqual([0, -0.5, 1, 65504, 2 ** -23, 3.140625, -2048, Infinity]);
  });

  it('writes mode 1 (int16) with rounded values, and refuses values that do not fit', () => {
    const img = createImage(3, 1, Float32Array.from([-2.6, 0.4, 32767.2]));
    const buf = writeMrc(img, { mode: 1 });
    expect(buf.byteLength).toBe(1024 + 3 * 2);
    expect(readMrcHeader(buf, FILE).mode).toBe(1);
    expect(values(readMrc(buf, FILE))).toEqual([-3, 0, 32767]);
    expect(() => writeMrc(createImage(1, 1, Float32Array.from([40000])), { mode: 1 })).toThrow(ParameterError);
  });

  it('floatToHalf inverts the reader on every finite half value', () => {
    for (let h = 0; h < 0x7c00; h++) {
      for (const sign of [0, 0x8000]) expect(floatToHalf(readMrcFromHalf(h | sign).data[0])).toBe(h | sign);
    }
  });

  it('rejects images it cannot write', () => {
    expect(() => writeMrc({ width: 2, height: 2, data: new Float32Array(3) })).toThrow(ParameterError);
    expect(() => writeMrc(createImage(2, 2), { pixelSize: -1 })).toThrow(ParameterError);
  });
});

/** A 1x1 mode-12 MRC holding the given half-precision bit pattern, read as float. */
function readMrcFromHalf(bits: number) {
  const buf = writeMrc(createImage(1, 1), { mode: 12 });
  new DataView(buf).setUint16(1024, bits, true);
  return readMrc(buf, FILE).image;
}

describe('zero copy', () => {
  it('returns a view on the input for aligned little-endian float32', () => {
    const buf = buildMrc({ nx: 4, ny: 2, mode: 2, values: [1, 2, 3, 4, 5, 6, 7, 8] });
    const m = readMrc(buf, FILE);
    expect(m.image.data.buffer).toBe(buf);
    expect(m.image.data.byteOffset).toBe(1024);
    expect(values(m)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('returns a view for one frame of an aligned float32 stack too', () => {
    const buf = buildMrc({ nx: 2, ny: 1, nz: 3, mode: 2, values: [1, 2, 3, 4, 5, 6] });
    const m = readMrc(buf, FILE, { frame: 2 });
    expect(m.image.data.buffer).toBe(buf);
    expect(values(m)).toEqual([5, 6]);
  });

  it('copies when the data offset is not 4-byte aligned (odd extended header)', () => {
    const buf = buildMrc({ nx: 2, ny: 2, mode: 2, nsymbt: 6, values: [1.5, -2, 3, 4] });
    const m = readMrc(buf, FILE);
    expect(m.image.data.buffer).not.toBe(buf);
    expect(values(m)).toEqual([1.5, -2, 3, 4]);
  });
});

describe('modes', () => {
  it.each([true, false])('mode 1 int16 (little endian: %s)', (le) => {
    const m = readMrc(buildMrc({ nx: 4, ny: 1, mode: 1, littleEndian: le, values: [-32768, -1, 0, 32767] }), FILE);
    expect(values(m)).toEqual([-32768, -1, 0, 32767]);
  });

  it.each([true, false])('mode 2 float32 (little endian: %s)', (le) => {
    const m = readMrc(buildMrc({ nx: 2, ny: 2, mode: 2, littleEndian: le, values: [1.5, -2.25, 0.125, -1e6] }), FILE);
    expect(values(m)).toEqual([1.5, -2.25, 0.125, -1e6]);
  });

  it.each([true, false])('mode 6 uint16 (little endian: %s)', (le) => {
    const m = readMrc(buildMrc({ nx: 4, ny: 1, mode: 6, littleEndian: le, values: [0, 1, 40000, 65535] }), FILE);
    expect(values(m)).toEqual([0, 1, 40000, 65535]);
  });

  it.each([true, false])('mode 12 float16 (little endian: %s)', (le) => {
    // IEEE 754 binary16 patterns: 1, -2, 1.5, max normal, min subnormal, min normal, -0, +inf, NaN
    const halves = [0x3c00, 0xc000, 0x3e00, 0x7bff, 0x0001, 0x0400, 0x8000, 0x7c00, 0x7e00];
    const m = readMrc(buildMrc({ nx: 9, ny: 1, mode: 12, littleEndian: le, values: halves }), FILE);
    const d = values(m);
    expect(d.slice(0, 8)).toEqual([1, -2, 1.5, 65504, 2 ** -24, 2 ** -14, -0, Infinity]);
    expect(Object.is(d[6], -0)).toBe(true);
    expect(d[8]).toBeNaN();
  });

  const bytes = [0xff, 0x80, 0x7f, 0x00];
  it('mode 0 signed per the IMOD flags', () => {
    const m = readMrc(buildMrc({ nx: 4, ny: 1, mode: 0, values: bytes, imodFlags: 1 }), FILE);
    expect(values(m)).toEqual([-1, -128, 127, 0]);
    expect(m.note).toContain('signed bytes (per the IMOD flags)');
  });

  it('mode 0 unsigned per the IMOD flags', () => {
    const m = readMrc(buildMrc({ nx: 4, ny: 1, mode: 0, values: bytes, imodFlags: 0 }), FILE);
    expect(values(m)).toEqual([255, 128, 127, 0]);
    expect(m.note).toContain('unsigned');
  });

  it('mode 0 follows DMIN/DMAX without an IMOD stamp, and MRC2014 (signed) otherwise', () => {
    expect(values(readMrc(buildMrc({ nx: 4, ny: 1, mode: 0, values: bytes, dmin: 0, dmax: 255 }), FILE))).toEqual([255, 128, 127, 0]);
    expect(values(readMrc(buildMrc({ nx: 4, ny: 1, mode: 0, values: bytes, dmin: -128, dmax: 127 }), FILE))).toEqual([-1, -128, 127, 0]);
    const m = readMrc(buildMrc({ nx: 4, ny: 1, mode: 0, values: bytes }), FILE);
    expect(values(m)).toEqual([-1, -128, 127, 0]);
    expect(m.note).toContain('MRC2014 default');
  });

  it('mode0Signed overrides everything', () => {
    const buf = buildMrc({ nx: 4, ny: 1, mode: 0, values: bytes, imodFlags: 1 });
    expect(values(readMrc(buf, FILE, { mode0Signed: false }))).toEqual([255, 128, 127, 0]);
    expect(values(readMrc(buf, FILE, { mode0Signed: true }))).toEqual([-1, -128, 127, 0]);
  });
});

describe('byte order', () => {
  it('guesses big endian when the machine stamp is missing (old files)', () => {
    const buf = buildMrc({ nx: 3, ny: 1, mode: 1, littleEndian: false, stamp: 'none', mapTag: false, values: [7, -8, 300] });
    const h = readMrcHeader(buf, FILE);
    expect(h).toMatchObject({ littleEndian: false, endianSource: 'guessed', hasMapTag: false });
    const m = readMrc(buf, FILE);
    expect(values(m)).toEqual([7, -8, 300]);
    expect(m.note).toContain('big-endian guessed');
  });

  it('overrides a machine stamp that contradicts the header', () => {
    const buf = buildMrc({ nx: 3, ny: 2, mode: 2, littleEndian: false, stamp: 'wrong', values: [1, 2, 3, 4, 5, 6] });
    expect(values(readMrc(buf, FILE))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads little endian with a zero stamp', () => {
    const buf = buildMrc({ nx: 2, ny: 1, mode: 6, stamp: 'none', values: [513, 2] });
    expect(readMrcHeader(buf, FILE).littleEndian).toBe(true);
    expect(values(readMrc(buf, FILE))).toEqual([513, 2]);
  });
});

describe('header fields', () => {
  it('skips the extended header by its declared size', () => {
    const buf = buildMrc({ nx: 2, ny: 2, mode: 1, nsymbt: 128, values: [10, 20, 30, 40] });
    new Uint8Array(buf).set([0x46, 0x45, 0x49, 0x31], 104); // EXTTYP 'FEI1'
    const h = readMrcHeader(buf, FILE);
    expect(h.nsymbt).toBe(128);
    expect(h.dataOffset).toBe(1152);
    expect(h.exttyp).toBe('FEI1');
    expect(values(readMrc(buf, FILE))).toEqual([10, 20, 30, 40]);
  });

  it('pixel size is cella.x / mx', () => {
    expect(readMrc(buildMrc({ nx: 10, ny: 5, mode: 1, mx: 10, cella: [12, 6, 1] }), FILE).pixelSize).toBeCloseTo(1.2, 6);
    expect(readMrc(buildMrc({ nx: 10, ny: 5, mode: 1, mx: 5, cella: [12, 6, 1] }), FILE).pixelSize).toBeCloseTo(2.4, 6);
    expect(readMrc(buildMrc({ nx: 10, ny: 5, mode: 1, mx: 0, cella: [12, 6, 1] }), FILE).pixelSize).toBeUndefined();
    expect(readMrc(buildMrc({ nx: 10, ny: 5, mode: 1, cella: [0, 0, 0] }), FILE).pixelSize).toBeUndefined();
  });

  it('a pixel size no micrograph has (a header written wrong) is taken as unknown, and said', () => {
    const wrong = readMrc(buildMrc({ nx: 10, ny: 5, mode: 1, mx: 10, cella: [10000, 5000, 1] }), FILE);
    expect(wrong.pixelSize).toBeUndefined();
    expect(wrong.pixelSizeRefused).toBe(1000);
    expect(wrong.note).toBe("the header's pixel size, 1000 Å/px, is none a micrograph has (0.1-50): taken as unknown");
    expect(readMrc(buildMrc({ nx: 10, ny: 5, mode: 1, mx: 10, cella: [0.5, 0.25, 1] }), FILE).pixelSizeRefused).toBe(0.05);
    const binned = readMrc(buildMrc({ nx: 10, ny: 5, mode: 1, mx: 10, cella: [400, 200, 1] }), FILE); // 40 Å/px: a binned tomogram
    expect([binned.pixelSize, binned.pixelSizeRefused]).toEqual([40, undefined]);
  });
});

describe('stacks', () => {
  // three 2x2 frames of int16
  const stack = () => buildMrc({ nx: 2, ny: 2, nz: 3, mode: 1, values: [1, 2, 3, 4, 10, 20, 30, 40, 100, 200, 300, 400] });

  it('averages all frames by default and says so', () => {
    const m = readMrc(stack(), FILE);
    expect(values(m)).toEqual([37, 74, 111, 148]);
    expect(m).toMatchObject({ frames: 3, averaged: true });
    expect(m.note).toContain('averaged 3 frames');
  });

  it('takes one frame on request', () => {
    const m = readMrc(stack(), FILE, { frame: 1 });
    expect(values(m)).toEqual([10, 20, 30, 40]);
    expect(m).toMatchObject({ frames: 3, averaged: false });
    expect(m.note).toContain('frame 1 of 3');
  });

  it('averages a big-endian float16 stack', () => {
    const buf = buildMrc({ nx: 1, ny: 2, nz: 2, mode: 12, littleEndian: false, values: [0x3c00, 0x4000, 0x4200, 0x4400] });
    expect(values(readMrc(buf, FILE))).toEqual([2, 3]); // (1+3)/2, (2+4)/2
  });

  it.each([3, -1, 1.5, NaN])('range-checks frame %s', (frame) => {
    expect(() => readMrc(stack(), FILE, { frame })).toThrow(ParameterError);
    expect(() => readMrc(stack(), FILE, { frame })).toThrow(/frame .* does not exist; the file has 3 frame/);
  });
});

describe('bad input', () => {
  it('empty file', () => {
    expectMicrographError(() => readMrc(new ArrayBuffer(0), FILE), 'empty-file', 'empty');
  });

  it('shorter than a header', () => {
    expectMicrographError(() => readMrc(new ArrayBuffer(100), FILE), 'truncated', '100 bytes', '1,024-byte MRC header');
  });

  it('truncated data, with both sizes in the message', () => {
    const buf = buildMrc({ nx: 4096, ny: 4096, mode: 2, truncateTo: 1024 + 12_582_912 });
    expectMicrographError(
      () => readMrc(buf, FILE),
      'truncated',
      'header says 4096x4096x1 float32 (67,108,864 bytes of data), file holds 12,582,912 bytes',
    );
  });

  it('truncated by an extended header that runs past the end', () => {
    const buf = buildMrc({ nx: 2, ny: 2, mode: 2 });
    new DataView(buf).setInt32(92, 1 << 20, true);
    expectMicrographError(() => readMrc(buf, FILE), 'truncated', 'extended header');
  });

  it.each([
    [3, 'complex'],
    [4, 'complex'],
    [5, 'mode 5'],
    [101, '4-bit'],
  ])('unsupported mode %s', (mode, words) => {
    const err = expectMicrographError(() => readMrc(buildMrc({ nx: 2, ny: 2, mode }), FILE), 'unsupported-mode', `mode ${mode}`, words);
    expect(err.message).toContain('supported modes are 0');
  });

  it.each([
    [0, 10, 1],
    [10, -5, 1],
    [70_000, 10, 1],
    [10, 10, 0],
  ])('bad dimensions %s x %s x %s', (nx, ny, nz) => {
    const buf = buildMrc({ nx: 1, ny: 1, mode: 2 });
    const v = new DataView(buf);
    v.setInt32(0, nx, true);
    v.setInt32(4, ny, true);
    v.setInt32(8, nz, true);
    expectMicrographError(() => readMrc(buf, FILE), 'bad-dimensions', `${nx} x ${ny} x ${nz}`, '1..65,536');
  });

  it('a frame too large in total is refused before any allocation', () => {
    const buf = buildMrc({ nx: 1, ny: 1, mode: 2 });
    const v = new DataView(buf);
    v.setInt32(0, 40_000, true);
    v.setInt32(4, 40_000, true);
    expect(40_000 * 40_000).toBeGreaterThan(MRC_MAX_PIXELS);
    expectMicrographError(() => readMrc(buf, FILE), 'bad-dimensions', '536,870,912 pixels');
  });

  it('a PNG renamed .mrc', () => {
    expectMicrographError(() => readMrc(pngSignatureBytes(), FILE), 'not-mrc', 'this looks like a PNG image, not an MRC file');
  });

  it('a TIFF renamed .mrc', () => {
    const tiff = buildTiff([{ width: 2, height: 2, values: [1, 2, 3, 4], bitsPerSample: 8, sampleFormat: 1 }]);
    expectMicrographError(() => readMrc(tiff, FILE), 'not-mrc', 'looks like a TIFF image');
  });

  it('a text file renamed .mrc', () => {
    const text = new TextEncoder().encode('data_\nloop_\n_rlnCoordinateX #1\n'.repeat(60)).buffer;
    expectMicrographError(() => readMrc(text, FILE), 'not-mrc', 'looks like a text file');
  });

  it('binary junk without an MRC header', () => {
    const junk = new Uint8Array(2048).map((_, i) => (i * 131 + 7) & 0xff);
    expectMicrographError(() => readMrc(junk.buffer, FILE), 'not-mrc', "no 'MAP ' tag");
  });

  it('negative extended header size', () => {
    const buf = buildMrc({ nx: 2, ny: 2, mode: 2 });
    new DataView(buf).setInt32(92, -8, true);
    expectMicrographError(() => readMrc(buf, FILE), 'not-mrc', 'negative extended header');
  });
});

// Property tests: whatever the bytes, the reader returns a consistent Micrograph or throws a
// DrpnetError, quickly, and never holds more pixels than the file's bytes can justify.
const BPV: Record<number, number> = { 0: 1, 1: 2, 2: 4, 6: 2, 12: 2 };

function checkOutcome(buf: ArrayBuffer, opts?: { frame?: number }): void {
  const t0 = performance.now();
  try {
    const m = readMrc(buf, FILE, opts);
    const h = readMrcHeader(buf, FILE);
    expect(m.image.data.length).toBe(m.image.width * m.image.height);
    expect(m.image.width * m.image.height * BPV[h.mode]).toBeLessThanOrEqual(buf.byteLength);
  } catch (e) {
    if (!(e instanceof DrpnetError)) throw e;
    expect(e.message.length).toBeGreaterThan(FILE.length + 5);
  }
  expect(performance.now() - t0).toBeLessThan(200);
}

describe('fuzz', () => {
  it('random bytes give a Micrograph or a DrpnetError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => checkOutcome(bytes.slice().buffer)),
      { numRuns: 400 },
    );
  });

  const validMrc = fc
    .record({
      nx: fc.integer({ min: 1, max: 24 }),
      ny: fc.integer({ min: 1, max: 24 }),
      nz: fc.integer({ min: 1, max: 3 }),
      mode: fc.constantFrom(0, 1, 2, 6, 12),
      littleEndian: fc.boolean(),
      nsymbt: fc.constantFrom(0, 3, 64),
    })
    .map((s) => buildMrc({ ...s, values: Array.from({ length: s.nx * s.ny * s.nz }, (_, i) => (i * 37) % 120) }));

  it('mutated valid MRC files give a Micrograph or a DrpnetError', () => {
    const mutation = fc.record({
      // mostly in the header, where the interesting words are
      at: fc.oneof(fc.integer({ min: 0, max: 223 }), fc.integer({ min: 0, max: 1200 })),
      byte: fc.integer({ min: 0, max: 255 }),
    });
    fc.assert(
      fc.property(
        validMrc,
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.option(fc.nat(), { nil: undefined }),
        fc.option(fc.integer({ min: -2, max: 4 }), { nil: undefined }),
        (buf, mutations, cut, frame) => {
          const bytes = new Uint8Array(buf);
          for (const m of mutations) if (m.at < bytes.length) bytes[m.at] = m.byte;
          const out = cut === undefined ? buf : buf.slice(0, cut % (buf.byteLength + 1));
          checkOutcome(out, { frame });
        },
      ),
      { numRuns: 500 },
    );
  });
});
