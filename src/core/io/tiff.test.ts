import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DrpnetError, MicrographError, ParameterError, type ErrorCode } from '../errors';
import { buildTiff, type TiffPageSpec } from './test-fixtures';
import { readTiff, scanTiffPages } from './tiff';

const FILE = 'movie_001.tif';

async function expectMicrographError(p: Promise<unknown>, code: ErrorCode, ...fragments: string[]): Promise<void> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MicrographError);
  const err = e as MicrographError;
  expect(err.code).toBe(code);
  expect(err.file).toBe(FILE);
  expect(err.message).toContain(FILE);
  for (const f of fragments) expect(err.message).toContain(f);
}

const page = (values: number[], bitsPerSample: 8 | 16 | 32, sampleFormat: 1 | 2 | 3, width = 2, height = 2): TiffPageSpec => ({
  width,
  height,
  values,
  bitsPerSample,
  sampleFormat,
});

describe('readTiff (geotiff in Node)', () => {
  it.each([
    ['8-bit unsigned', page([0, 1, 200, 255], 8, 1), [0, 1, 200, 255]],
    ['8-bit signed', page([-128, -1, 0, 127], 8, 2), [-128, -1, 0, 127]],
    ['16-bit unsigned', page([0, 300, 40000, 65535], 16, 1), [0, 300, 40000, 65535]],
    ['16-bit signed', page([-32768, -2, 5, 32767], 16, 2), [-32768, -2, 5, 32767]],
    ['32-bit float', page([1.5, -2.25, 1e-3, 3e7], 32, 3), [1.5, -2.25, 1e-3, 3e7]],
  ])('%s', async (_name, spec, expected) => {
    for (const le of [true, false]) {
      const m = await readTiff(buildTiff([spec], le), FILE);
      expect(m.image.width).toBe(2);
      expect(m.image.height).toBe(2);
      const got = Array.from(m.image.data);
      expected.forEach((x, i) => expect(got[i]).toBeCloseTo(x, 5));
      expect(m).toMatchObject({ frames: 1, averaged: false, format: 'tiff' });
      expect(m.pixelSize).toBeUndefined();
    }
  });

  it('keeps rows in order for a non-square image', async () => {
    const m = await readTiff(buildTiff([page([1, 2, 3, 4, 5, 6], 16, 1, 3, 2)]), FILE);
    expect(m.image.width).toBe(3);
    expect(m.image.height).toBe(2);
    expect(Array.from(m.image.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('averages pages of a multi-page file, or reads one page on request', async () => {
    const buf = buildTiff([page([0, 2, 4, 6], 16, 1), page([2, 4, 6, 8], 16, 1), page([4, 6, 8, 10], 16, 1)]);
    expect(scanTiffPages(buf, FILE)).toHaveLength(3);
    const avg = await readTiff(buf, FILE);
    expect(Array.from(avg.image.data)).toEqual([2, 4, 6, 8]);
    expect(avg).toMatchObject({ frames: 3, averaged: true });
    expect(avg.note).toContain('averaged 3 pages');
    const one = await readTiff(buf, FILE, { frame: 2 });
    expect(Array.from(one.image.data)).toEqual([4, 6, 8, 10]);
    expect(one).toMatchObject({ frames: 3, averaged: false });
    await expect(readTiff(buf, FILE, { frame: 3 })).rejects.toThrow(ParameterError);
  });

  it('converts RGB to grey with BT.601 weights', async () => {
    const rgb = { width: 2, height: 1, values: [255, 0, 0, 0, 0, 255], bitsPerSample: 8, sampleFormat: 1, samplesPerPixel: 3 } as const;
    const m = await readTiff(buildTiff([rgb]), FILE);
    expect(m.image.data[0]).toBeCloseTo(0.299 * 255, 3);
    expect(m.image.data[1]).toBeCloseTo(0.114 * 255, 3);
    expect(m.note).toContain('BT.601');
  });
});

describe('bad TIFF input', () => {
  const good = () => buildTiff([page([1, 2, 3, 4], 16, 1)]);

  it('empty file', async () => {
    await expectMicrographError(readTiff(new ArrayBuffer(0), FILE), 'empty-file');
  });

  it('no TIFF signature', async () => {
    await expectMicrographError(readTiff(new TextEncoder().encode('hello world').buffer, FILE), 'decode-failed', 'byte-order mark');
  });

  it('page chain that loops', async () => {
    const buf = good();
    const v = new DataView(buf);
    const ifd = v.getUint32(4, true);
    const n = v.getUint16(ifd, true);
    v.setUint32(ifd + 2 + n * 12, ifd, true); // next IFD = itself
    await expectMicrographError(readTiff(buf, FILE), 'decode-failed', 'loops');
  });

  it('pixel data cut off', async () => {
    const buf = buildTiff([page(Array(64 * 64).fill(7), 16, 1, 64, 64)]);
    // Keep the IFD (at the end) intact but claim a larger image: width 64 -> 4000.
    const v = new DataView(buf);
    const ifd = v.getUint32(4, true);
    v.setUint32(ifd + 2 + 8, 4000, true); // first entry is ImageWidth (LONG)
    await expectMicrographError(readTiff(buf, FILE), 'truncated', 'page 1 needs');
  });

  it('zero width', async () => {
    const buf = good();
    const v = new DataView(buf);
    v.setUint32(v.getUint32(4, true) + 2 + 8, 0, true);
    await expectMicrographError(readTiff(buf, FILE), 'bad-dimensions', '0 x 2');
  });

  it('unsupported sample type (1-bit)', async () => {
    const buf = good();
    const v = new DataView(buf);
    v.setUint16(v.getUint32(4, true) + 2 + 2 * 12 + 8, 1, true); // BitsPerSample = 1
    await expectMicrographError(readTiff(buf, FILE), 'unsupported-format', '1-bit');
  });

  it('unknown compression is a decode failure naming the file', async () => {
    const buf = good();
    const v = new DataView(buf);
    v.setUint16(v.getUint32(4, true) + 2 + 3 * 12 + 8, 60000, true); // Compression = 60000
    await expectMicrographError(readTiff(buf, FILE), 'decode-failed', 'could not decode');
  });
});

describe('TIFF fuzz', () => {
  async function checkOutcome(buf: ArrayBuffer): Promise<void> {
    const t0 = performance.now();
    try {
      const m = await readTiff(buf, FILE);
      expect(m.image.data.length).toBe(m.image.width * m.image.height);
      // uncompressed fixtures: each pixel came from at least one byte of the file
      expect(m.image.data.length).toBeLessThanOrEqual(buf.byteLength * 1100 + 2 ** 24);
    } catch (e) {
      if (!(e instanceof DrpnetError)) throw e;
    }
    expect(performance.now() - t0).toBeLessThan(200);
  }

  it('random bytes behind a TIFF signature give a Micrograph or a DrpnetError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.uint8Array({ maxLength: 600 }), async (le, rest) => {
        const head = le ? [0x49, 0x49, 0x2a, 0x00] : [0x4d, 0x4d, 0x00, 0x2a];
        const bytes = new Uint8Array(4 + rest.length);
        bytes.set(head);
        bytes.set(rest, 4);
        await checkOutcome(bytes.buffer);
      }),
      { numRuns: 300 },
    );
  });

  it('mutated valid TIFF files give a Micrograph or a DrpnetError', async () => {
    const spec = fc.record({
      w: fc.integer({ min: 1, max: 12 }),
      h: fc.integer({ min: 1, max: 12 }),
      pages: fc.integer({ min: 1, max: 3 }),
      kind: fc.constantFrom([8, 1], [8, 2], [16, 1], [16, 2], [32, 3]),
      le: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        spec,
        fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 6 }),
        fc.option(fc.nat(), { nil: undefined }),
        async (s, mutations, cut) => {
          const [bits, sf] = s.kind as [8 | 16 | 32, 1 | 2 | 3];
          const pages = Array.from({ length: s.pages }, (_, p) =>
            page(
              Array.from({ length: s.w * s.h }, (_, i) => (i + p) % 100),
              bits,
              sf,
              s.w,
              s.h,
            ),
          );
          const buf = buildTiff(pages, s.le);
          const bytes = new Uint8Array(buf);
          // The IFDs sit after each page's pixels; aim half the mutations at the last 160 bytes.
          for (const m of mutations) {
            const at = m.at % 2 === 0 ? bytes.length - 1 - (m.at % 160) : m.at % bytes.length;
            if (at >= 0 && at < bytes.length) bytes[at] = m.byte;
          }
          await checkOutcome(cut === undefined ? buf : buf.slice(0, cut % (buf.byteLength + 1)));
        },
      ),
      { numRuns: 400 },
    );
  });
});
