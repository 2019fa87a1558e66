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

  it('turns a damaged file into decode-failed naming the file', () => {
    const png = encodePng({ width: 4, height: 4, data: new Uint8Array(16), depth: 8, channels: 1 });
    const cut = png.slice(0, 40);
    const e = (() => {
      try {
        decodeRaster(buf(cut), FILE, 'png');
      } catch (x) {
        return x;
      }
    })() as MicrographError;
    expect(e).toBeInstanceOf(MicrographError);
    expect(e.code).toBe('decode-failed');
    expect(e.message).toContain(FILE);
    expect(() => decodeRaster(buf(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16])), 'j.jpg', 'jpeg')).toThrow(/j\.jpg/);
  });
});
