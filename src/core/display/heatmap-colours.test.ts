import { describe, expect, it } from 'vitest';
import { colourizeMap, viridisLut } from './heatmap-colours';

describe('heatmap colour map', () => {
  it('runs from viridis dark purple to yellow', () => {
    const lut = viridisLut();
    expect([...lut.slice(0, 3)]).toEqual([0x44, 0x01, 0x54]);
    expect([...lut.slice(255 * 3, 256 * 3)]).toEqual([0xfd, 0xe7, 0x25]);
  });

  it('maps values to colours with alpha growing with the value, clamping outside [0,1] and NaN', () => {
    const out = colourizeMap(new Float32Array([0, 1, 2, -1, NaN, 0.2]), 3, 2);
    expect(out.length).toBe(24);
    expect(out[3]).toBe(0); // value 0 is transparent
    expect(out[7]).toBe(255);
    expect([...out.slice(8, 12)]).toEqual([...out.slice(4, 8)]); // 2 clamps to 1
    expect([...out.slice(12, 16)]).toEqual([...out.slice(0, 4)]); // -1 clamps to 0
    expect([...out.slice(16, 20)]).toEqual([...out.slice(0, 4)]); // NaN as 0
    expect(out[23]).toBe(Math.round(Math.sqrt(0.2) * 1.5 * 255)); // shown through a square root
    expect([...out.slice(20, 23)]).toEqual([
      ...viridisLut().slice(Math.round(Math.sqrt(0.2) * 255) * 3, Math.round(Math.sqrt(0.2) * 255) * 3 + 3),
    ]);
  });

  it('rejects a map shorter than its dimensions', () => {
    expect(() => colourizeMap(new Float32Array(3), 2, 2)).toThrow(RangeError);
  });
});
