import { encode as encodePng } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { MicrographError } from '../errors';
import { decodeRaster, samplesToGrey, unpackBits } from './raster';

const FILE = 'grid_square.png';

function buf(u8: Uint8Array): ArrayBuffer {
  return new Uint8Array(u8).buffer as ArrayBuffer; // a copy: a Node Buffer slice would share its pool
}

describe('samplesToGrey', () => {
  it('uses BT.601 luma weights and ignores alpha', () => {
    const rgba = Uint8ClampedArray.from([255, 0, 0, 255, 0, 255, 0, 0, 0, 0, 255, 17, 200, 200, 200, 255]);
    const g = samplesToGrey(rgba, 2, 2, 4);
    expect(g.data[0]).toBeCloseTo(76.245, 3);
    expect(g.data[1]).toBeCloseTo(149.685, 3);
    expect(g.data[2]).toBeCloseTo(29.07, 3);
    expect(g.data[3]).toBeCloseTo(200, 3); // grey stays grey: the weights sum to 1
  });

  it('takes grey as it is and ignores a grey image alpha channel', () => {
    expect(Array.from(samplesToGrey([7, 0, 9, 255], 2, 1, 2).data)).toEqual([7, 9]);
  });

  it('rejects data of the wrong length', () => {
    expect(() => samplesToGrey(new Uint8ClampedArray(12), 2, 2, 4)).toThrow(RangeError);
  });
});

describe('unpackBits', () => {
  it('reads MSB-first samples with each row starting on a byte', () => {
    // width 3 at 2 bits: row 0 = 11 01 00 (pad 00), row 1 = 00 10 11 (pad 00)
    expect(Array.from(unpackBits([0b11010000, 0b00101100], 3, 2, 2))).toEqual([3, 1, 0, 0, 2, 3]);
    expect(Array.from(unpackBits([0b10100000], 3, 1, 1))).toEqual([1, 0, 1]);
  });
});

describe('decodeRaster', () => {
  it('keeps a 16-bit grey PNG at full depth', () => {
    const values = Uint16Array.from([0, 1, 1000, 65535, 40000, 123]);
    const png = encodePng({ width: 3, height: 2, data: values, depth: 16, channels: 1 });
    const m = decodeRaster(buf(png), FILE, 'png');
    expect(m.image.width).toBe(3);
    expect(m.image.height).toBe(2);
    expect(Array.from(m.image.data)).toEqual(Array.from(values));
    expect(m).toMatchObject({ frames: 1, averaged: false, format: 'png' });
    expect(m.note).toContain('16-bit');
  });

  it('reads an 8-bit RGBA PNG as luma', () => {
    const png = encodePng({ width: 2, height: 1, data: Uint8Array.from([255, 0, 0, 255, 10, 10, 10, 0]), depth: 8, channels: 4 });
    const m = decodeRaster(buf(png), 'c.png', 'png');
    expect(m.image.data[0]).toBeCloseTo(76.245, 3);
    expect(m.image.data[1]).toBeCloseTo(10, 4);
    expect(m.note).toBe('colour PNG, read as grey');
    // A grey image saved as RGB is not said to be colour.
    const greyRgb = encodePng({ width: 2, height: 1, data: Uint8Array.from([3, 3, 3, 200, 200, 200]), depth: 8, channels: 3 });
    expect(decodeRaster(buf(greyRgb), 'g.png', 'png').note).toBeUndefined();
  });

  it('says when the file is of another format than its name says, and nothing of a plain grey 8-bit file', () => {
    const png = encodePng({ width: 2, height: 1, data: Uint8Array.from([3, 200]), depth: 8, channels: 1 });
    expect(decodeRaster(buf(png), 'g.png', 'png').note).toBeUndefined();
    const grey = encodeJpeg({ width: 8, height: 8, data: new Uint8Array(8 * 8 * 4).fill(128) }, 90);
    expect(decodeRaster(buf(grey.data), 'g.jpg', 'jpeg').note).toBeUndefined();
    expect(decodeRaster(buf(grey.data), 'g.png', 'jpeg').note).toBe('a JPEG file named .png');
  });

  it('reads a grey JPEG to within its compression error', () => {
    const w = 16;
    const rgba = new Uint8Array(w * w * 4);
    for (let i = 0; i < w * w; i++) (rgba.fill(i % w < 8 ? 40 : 200, 4 * i, 4 * i + 3), (rgba[4 * i + 3] = 255));
    const jpg = encodeJpeg({ width: w, height: w, data: rgba }, 95);
    const m = decodeRaster(buf(jpg.data), 'a.jpg', 'jpeg');
    expect(m.format).toBe('jpeg');
    expect(m.image.data[0]).toBeGreaterThan(30);
    expect(m.image.data[0]).toBeLessThan(50);
    expect(m.image.data[w - 1]).toBeGreaterThan(190);
  });

  const failure = (bytes: Uint8Array, name: string, format: 'png' | 'jpeg') => {
    try {
      decodeRaster(buf(bytes), name, format);
    } catch (x) {
      return x as MicrographError;
    }
    throw new Error('decoded');
  };

  it('a file cut short says so (truncated), naming the file', () => {
    const png = encodePng({ width: 4, height: 4, data: new Uint8Array(16), depth: 8, channels: 1 });
    const e = failure(png.slice(0, 40), FILE, 'png');
    expect(e).toBeInstanceOf(MicrographError);
    expect(e.code).toBe('truncated');
    expect(e.message).toBe(
      `${FILE}: the PNG file is cut short: it stops before the IEND chunk that ends every PNG (40 bytes); was it copied or downloaded completely?`,
    );
    const rgba = new Uint8Array(16 * 16 * 4).fill(128);
    const jpg = encodeJpeg({ width: 16, height: 16, data: rgba }, 90).data;
    expect(failure(jpg.slice(0, jpg.length >> 1), 'j.jpg', 'jpeg')).toMatchObject({ code: 'truncated', file: 'j.jpg' });
  });

  it("a whole file with damaged data is decode-failed, with the decoder's reason", () => {
    const w = 64;
    const png = encodePng({ width: w, height: w, data: new Uint8Array(w * w).map((_, i) => (i * 37) % 251), depth: 8, channels: 1 });
    const bad = png.slice();
    bad[60] ^= 0xff; // inside the compressed pixels; the file still ends with IEND
    const e = failure(bad, FILE, 'png');
    expect(e.code).toBe('decode-failed');
    expect(e.message).toMatch(
      new RegExp(
        `^${FILE}: the PNG data cannot be decoded \\([^)]*[^:\\s]\\): the file is damaged \\(copy it again from its source\\), or a kind of PNG`,
      ),
    );
  });
});
