import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DrpnetError, MicrographError } from '../errors';
import { createImage } from '../image';
import { decodeMicrograph, isMicrographFileName, MICROGRAPH_EXTENSIONS, toArrayBuffer } from './micrograph';
import { writeMrc } from './mrc';
import { encode as encodePng } from 'fast-png';
import { buildMrc, buildTiff, pngSignatureBytes } from './test-fixtures';

const mrc = () => writeMrc(createImage(3, 2, Float32Array.from([1, 2, 3, 4, 5, 6])), { pixelSize: 1.5 });
const tiff = () => buildTiff([{ width: 2, height: 1, values: [7, 9], bitsPerSample: 16, sampleFormat: 1 }]);

async function codeOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => 'ok',
    (x: unknown) => x,
  );
  if (e === 'ok') return 'ok';
  expect(e).toBeInstanceOf(DrpnetError);
  return (e as DrpnetError).code;
}

describe('isMicrographFileName', () => {
  it.each(['a.mrc', 'B.MRC', 'stack.mrcs', 'tilt.st', 'vol.map', 'x.tif', 'x.TIFF', 'p.png', 'j.jpg', 'j.jpeg', 'dir.d/a.mrc'])(
    'accepts %s',
    (n) => {
      expect(isMicrographFileName(n)).toBe(true);
    },
  );
  it.each(['a.star', 'a.box', 'mrc', '.mrc', 'a.mrc.gz', 'a.tif/readme', 'noext'])('rejects %s', (n) => {
    expect(isMicrographFileName(n)).toBe(false);
  });
});

describe('decodeMicrograph', () => {
  it('refuses, naming the file, a micrograph in which no pixel holds a number; one with some keeps going', async () => {
    const nan = createImage(8, 8);
    nan.data.fill(Number.NaN);
    nan.data[5] = Number.POSITIVE_INFINITY;
    await expect(decodeMicrograph(writeMrc(nan), 'all_nan.mrc')).rejects.toMatchObject({
      name: 'MicrographError',
      code: 'decode-failed',
      message: 'all_nan.mrc: no pixel holds a number (every one is NaN or infinite)',
    });
    nan.data[9] = 1;
    expect((await decodeMicrograph(writeMrc(nan), 'some.mrc')).image.width).toBe(8);
  });

  it.each(['m.mrc', 'm.mrcs', 'm.st', 'm.map', 'm.dat'])('reads an MRC named %s', async (name) => {
    const m = await decodeMicrograph(mrc(), name);
    expect(m.format).toBe('mrc');
    expect(Array.from(m.image.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(m.pixelSize).toBeCloseTo(1.5, 6);
  });

  it('reads a TIFF, even when it is misnamed .mrc (magic bytes win)', async () => {
    for (const name of ['m.tif', 'm.tiff', 'm.mrc']) {
      const m = await decodeMicrograph(tiff(), name);
      expect(m.format).toBe('tiff');
      expect(Array.from(m.image.data)).toEqual([7, 9]);
    }
  });

  it('passes frame through to the readers', async () => {
    const stack = buildMrc({ nx: 1, ny: 1, nz: 2, mode: 1, values: [4, 8] });
    expect(Array.from((await decodeMicrograph(stack, 's.mrcs', { frame: 1 })).image.data)).toEqual([8]);
    expect(Array.from((await decodeMicrograph(stack, 's.mrcs')).image.data)).toEqual([6]);
    const pages = buildTiff([1, 3].map((x) => ({ width: 1, height: 1, values: [x], bitsPerSample: 8, sampleFormat: 1 }) as const));
    expect(Array.from((await decodeMicrograph(pages, 'p.tif', { frame: 0 })).image.data)).toEqual([1]);
    expect(Array.from((await decodeMicrograph(pages, 'p.tif')).image.data)).toEqual([2]);
  });

  it('PNG is decoded here, at its own depth', async () => {
    const png = encodePng({ width: 1, height: 1, data: Uint16Array.from([50000]), depth: 16, channels: 1 });
    const m = await decodeMicrograph(png.slice().buffer as ArrayBuffer, 'x.png');
    expect(m.format).toBe('png');
    expect(m.image.data[0]).toBe(50000);
    await expect(decodeMicrograph(pngSignatureBytes(), 'x.png')).rejects.toMatchObject({ code: 'truncated' }); // a signature and nothing after it
  });

  it('a frame asked of a PNG or JPEG must be its only one, frame 0, as of an MRC or TIFF its own', async () => {
    const png = encodePng({ width: 2, height: 2, data: Uint8Array.from([1, 2, 3, 4]), depth: 8, channels: 1 });
    const buffer = png.slice().buffer as ArrayBuffer;
    expect((await decodeMicrograph(buffer, 'x.png', { frame: 0 })).image.data[3]).toBe(4);
    const e = await decodeMicrograph(buffer, 'x.png', { frame: 3 }).catch((err: Error) => err);
    expect(e).toMatchObject({ code: 'bad-parameter', file: 'x.png' });
    expect((e as Error).message).toBe('x.png: frame 3 does not exist; the file has 1 frame(s), numbered 0..0');
    const stack = buildMrc({ nx: 2, ny: 2, nz: 2, mode: 2, values: [0, 0, 0, 0, 1, 1, 1, 1] });
    await expect(decodeMicrograph(stack, 's.mrc', { frame: 2 })).rejects.toThrow(/^s\.mrc: frame 2 does not exist; the file has 2 frame/);
  });

  it('errors name the file and say what is wrong', async () => {
    const cases: [ArrayBuffer, string, string, string][] = [
      [new ArrayBuffer(0), 'e.mrc', 'empty-file', 'empty'],
      [new TextEncoder().encode('not an image').buffer, 'x.tif', 'decode-failed', 'TIFF signature'],
      [new TextEncoder().encode('not an image').buffer, 'x.jpg', 'decode-failed', 'JPEG signature'],
      [new TextEncoder().encode('x,y\n1,2\n').buffer, 'coords.csv', 'unsupported-format', '.mrc .mrcs .st .map .tif .tiff .png .jpg .jpeg'],
      [new TextEncoder().encode('x,y\n1,2\n').buffer, 'coords.mrc', 'not-mrc', 'text file'],
    ];
    for (const [buf, name, code, words] of cases) {
      const e = (await decodeMicrograph(buf, name).catch((x: unknown) => x)) as MicrographError;
      expect(e).toBeInstanceOf(MicrographError);
      expect(e.code).toBe(code);
      expect(e.message).toContain(name);
      expect(e.message).toContain(words);
    }
  });

  it('lists the extensions it reads', () => {
    expect([...MICROGRAPH_EXTENSIONS].sort()).toEqual(['jpeg', 'jpg', 'map', 'mrc', 'mrcs', 'png', 'st', 'tif', 'tiff']);
  });
});

describe('toArrayBuffer', () => {
  it('reuses the buffer when the bytes cover it, copies a sub-range otherwise', () => {
    const whole = new Uint8Array(16);
    expect(toArrayBuffer(whole)).toBe(whole.buffer);
    const part = new Uint8Array(whole.buffer, 4, 8);
    part[0] = 42;
    const copy = toArrayBuffer(part);
    expect(copy).not.toBe(whole.buffer);
    expect(copy.byteLength).toBe(8);
    expect(new Uint8Array(copy)[0]).toBe(42);
  });

  it('copies a Node Buffer taken from a shared pool: an empty one gives no bytes', () => {
    const pooled = Buffer.from([1, 2, 3]).subarray(0, 0); // Buffer.slice/subarray are views of the pool
    expect(pooled.buffer.byteLength).toBeGreaterThan(0);
    expect(toArrayBuffer(pooled).byteLength).toBe(0);
    expect([...new Uint8Array(toArrayBuffer(Buffer.from([7, 8]).subarray(1)))]).toEqual([8]);
  });
});

describe('decodeMicrograph fuzz', () => {
  it('any bytes under any supported name give a Micrograph or a DrpnetError, fast', async () => {
    const seeds = [mrc(), tiff(), pngSignatureBytes(), new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16]).buffer];
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 1500 }).map((b) => b.slice().buffer),
          fc.tuple(fc.constantFrom(...seeds.keys()), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 4 })).map(([k, muts]) => {
            const b = new Uint8Array(seeds[k].slice(0));
            for (const [at, v] of muts) b[at % b.length] = v;
            return b.buffer;
          }),
        ),
        fc.constantFrom('a.mrc', 'a.tif', 'a.png', 'a.jpg', 'a.txt', 'a.st'),
        async (buf, name) => {
          const t0 = performance.now();
          expect([
            'ok',
            'empty-file',
            'truncated',
            'not-mrc',
            'unsupported-mode',
            'bad-dimensions',
            'unsupported-format',
            'decode-failed',
          ]).toContain(await codeOf(decodeMicrograph(buf, name)));
          expect(performance.now() - t0).toBeLessThan(200);
        },
      ),
      { numRuns: 300 },
    );
  });
});
