import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MicrographError } from '../errors';
import { reduceImage } from '../preprocess/reduce';
import { bufferReader, type ByteReader } from './byte-reader';
import { decodeMicrograph, openMicrograph, type Micrograph } from './micrograph';
import { readMrc } from './mrc';
import { openMrcStream } from './mrc-stream';
import { buildMrc, buildTiff, type MrcSpec } from './test-fixtures';

const FILE = 'mic_0001.mrc';

/** Raw values that each mode holds exactly (mode 12: half-float bit patterns). */
function rawValues(mode: number, n: number, seed: number): number[] {
  return Array.from({ length: n }, (_, i) => {
    const r = Math.abs(Math.sin((i + 1) * 12.9898 + seed) * 43758.5453) % 1;
    if (mode === 0) return Math.floor(r * 256) - 128;
    if (mode === 1) return Math.floor(r * 65536) - 32768;
    if (mode === 6) return Math.floor(r * 65536);
    if (mode === 12) return Math.floor(r * 0x7bff); // finite positive halves
    return (r - 0.5) * 1e4;
  });
}

const description = (m: Omit<Micrograph, 'image'>) => ({
  pixelSize: m.pixelSize,
  frames: m.frames,
  averaged: m.averaged,
  format: m.format,
  note: m.note,
});

/** Counts the bytes read, to show the stream never reads the whole file at once. */
function countingReader(buffer: ArrayBuffer): ByteReader & { largest: number } {
  const inner = bufferReader(buffer);
  const r = {
    size: inner.size,
    largest: 0,
    read: (offset: number, length: number) => {
      r.largest = Math.max(r.largest, length);
      return inner.read(offset, length);
    },
  };
  return r;
}

describe('openMrcStream', () => {
  it('reduces to exactly what readMrc + reduceImage give, for every mode, byte order, stack and frame', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0, 1, 2, 6, 12),
        fc.boolean(),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 37 }),
        fc.integer({ min: 1, max: 29 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 400 }),
        fc.option(fc.nat(), { nil: undefined }),
        async (mode, littleEndian, nz, nx, ny, scale, bandBytes, frameSeed) => {
          const spec: MrcSpec = {
            nx,
            ny,
            nz,
            mode,
            littleEndian,
            values: rawValues(mode, nx * ny * nz, nx + ny),
            nsymbt: mode === 2 ? 6 : 0,
            cella: [nx * 1.5, ny * 1.5, nz],
            imodFlags: mode === 0 ? 1 : undefined,
          };
          const buf = buildMrc(spec);
          const frame = frameSeed === undefined ? undefined : frameSeed % nz;
          const whole = readMrc(buf, FILE, { frame });
          const streamed = await openMrcStream(bufferReader(buf), FILE, { frame, bandBytes });
          expect(description(streamed)).toEqual(description(whole));
          expect([streamed.width, streamed.height]).toEqual([nx, ny]);
          expect(await streamed.reduce(scale)).toEqual(reduceImage(whole.image, scale));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reads a large micrograph one band at a time', async () => {
    const nx = 512;
    const ny = 300;
    const buf = buildMrc({ nx, ny, mode: 2, values: rawValues(2, nx * ny, 3) });
    const reader = countingReader(buf);
    const streamed = await openMrcStream(reader, FILE, { bandBytes: 64 * 1024 });
    const reduced = await streamed.reduce(5);
    expect(reader.largest).toBeLessThanOrEqual(64 * 1024);
    expect(reduced).toEqual(reduceImage(readMrc(buf, FILE).image, 5));
  });

  it("fails with readMrc's typed errors, naming the file", async () => {
    const cases: [ArrayBuffer, string][] = [
      [new ArrayBuffer(0), 'empty-file'],
      [buildMrc({ nx: 8, ny: 8, mode: 2, truncateTo: 1024 + 100 }), 'truncated'],
      [buildMrc({ nx: 8, ny: 8, mode: 4 }), 'unsupported-mode'],
      [buildTiff([{ width: 2, height: 2, values: [1, 2, 3, 4], bitsPerSample: 8, sampleFormat: 1 }]), 'not-mrc'],
    ];
    for (const [buf, code] of cases) {
      const streamed = openMrcStream(bufferReader(buf), FILE);
      await expect(streamed).rejects.toBeInstanceOf(MicrographError);
      await expect(streamed).rejects.toMatchObject({ code, file: FILE });
      if (buf.byteLength) expect(() => readMrc(buf, FILE)).toThrow(expect.objectContaining({ code }));
    }
    const stack = buildMrc({ nx: 4, ny: 4, nz: 2, mode: 2 });
    await expect(openMrcStream(bufferReader(stack), FILE, { frame: 2 })).rejects.toThrow(/frame 2 does not exist/);
  });

  it('stops between bands when cancelled', async () => {
    const buf = buildMrc({ nx: 64, ny: 64, mode: 2, values: rawValues(2, 64 * 64, 1) });
    const streamed = await openMrcStream(bufferReader(buf), FILE, { bandBytes: 1024 });
    const ac = new AbortController();
    ac.abort();
    await expect(streamed.reduce(2, ac.signal)).rejects.toMatchObject({ code: 'cancelled' });
  });
});

describe('openMicrograph', () => {
  it('streams an MRC and decodes other formats whole, with the same reader', async () => {
    const mrc = buildMrc({ nx: 6, ny: 4, mode: 1, values: rawValues(1, 24, 2) });
    const streamed = await openMicrograph(bufferReader(mrc), 'a.mrc');
    expect('image' in streamed).toBe(false);
    expect(await streamed.reduce(2)).toEqual(reduceImage(readMrc(mrc, 'a.mrc').image, 2));
    const tiff = buildTiff([{ width: 2, height: 2, values: [1, 2, 3, 4], bitsPerSample: 8, sampleFormat: 1 }]);
    const decoded = await openMicrograph(bufferReader(tiff), 'b.tif');
    const whole = await decodeMicrograph(tiff, 'b.tif');
    expect('image' in decoded && decoded.image).toEqual(whole.image);
    expect(await decoded.reduce(2)).toEqual(await whole.reduce(2));
    await expect(openMicrograph(bufferReader(new ArrayBuffer(0)), 'c.mrc')).rejects.toMatchObject({ code: 'empty-file', file: 'c.mrc' });
  });
});
