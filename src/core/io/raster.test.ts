import { describe, expect, it } from 'vitest';
import { MicrographError } from '../errors';
import { decodeRaster, rgbaToGrey, type RasterDecoder } from './raster';

const FILE = 'grid_square.png';

describe('rgbaToGrey', () => {
  it('uses BT.601 luma weights and ignores alpha', () => {
    const rgba = Uint8ClampedArray.from([255, 0, 0, 255, 0, 255, 0, 0, 0, 0, 255, 17, 200, 200, 200, 255]);
    const g = rgbaToGrey(rgba, 2, 2);
    expect(g.width).toBe(2);
    expect(g.height).toBe(2);
    expect(g.data[0]).toBeCloseTo(76.245, 3);
    expect(g.data[1]).toBeCloseTo(149.685, 3);
    expect(g.data[2]).toBeCloseTo(29.07, 3);
    expect(g.data[3]).toBeCloseTo(200, 3); // grey stays grey: the weights sum to 1
  });

  it('rejects RGBA data of the wrong length', () => {
    expect(() => rgbaToGrey(new Uint8ClampedArray(12), 2, 2)).toThrow(RangeError);
  });
});

describe('decodeRaster', () => {
  const bytes = new Uint8Array([1, 2, 3]).buffer;

  it('without a decoder (Node) says PNG needs the browser', async () => {
    const e = await decodeRaster(bytes, FILE, 'png').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MicrographError);
    expect((e as MicrographError).code).toBe('unsupported-format');
    expect((e as MicrographError).message).toContain(FILE);
    expect((e as MicrographError).message).toContain('browser');
  });

  it('passes bytes and mime type to the injected decoder and converts to grey', async () => {
    let seen: { bytes: ArrayBuffer; mime: string } | undefined;
    const decoder: RasterDecoder = async (b, mime) => {
      seen = { bytes: b, mime };
      return { width: 3, height: 1, rgba: Uint8ClampedArray.from([10, 10, 10, 255, 0, 0, 0, 255, 255, 255, 255, 255]) };
    };
    const m = await decodeRaster(bytes, 'a.jpg', 'jpeg', decoder);
    expect(seen?.bytes).toBe(bytes);
    expect(seen?.mime).toBe('image/jpeg');
    expect(Array.from(m.image.data).map((x) => Math.round(x * 1000) / 1000)).toEqual([10, 0, 255]);
    expect(m).toMatchObject({ frames: 1, averaged: false, format: 'jpeg' });
  });

  it('turns a decoder failure into decode-failed naming the file', async () => {
    const decoder: RasterDecoder = async () => {
      throw new Error('InvalidStateError: the source image could not be decoded');
    };
    const e = (await decodeRaster(bytes, FILE, 'png', decoder).catch((x: unknown) => x)) as MicrographError;
    expect(e.code).toBe('decode-failed');
    expect(e.message).toContain(FILE);
    expect(e.message).toContain('could not be decoded');
  });

  it('rejects an inconsistent decoder result', async () => {
    const decoder: RasterDecoder = async () => ({ width: 4, height: 4, rgba: new Uint8ClampedArray(8) });
    const e = (await decodeRaster(bytes, FILE, 'png', decoder).catch((x: unknown) => x)) as MicrographError;
    expect(e.code).toBe('decode-failed');
    expect(e.message).toContain('4 x 4');
  });
});
