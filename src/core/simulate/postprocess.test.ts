import { describe, expect, it } from 'vitest';
import { createImage } from '../image';
import { createRng } from '../random';
import { applyPostStep, applyPostSteps, randomPostSteps } from './postprocess';

const ramp = () =>
  createImage(
    16,
    16,
    Float32Array.from({ length: 256 }, (_, i) => i * 3 + 100),
  );

describe('post-processing steps', () => {
  it('quantises to 8 bits: whole numbers 0..255, order kept', () => {
    const q = applyPostStep(ramp(), { kind: 'quantise8', lo: 0, hi: 100 });
    expect(q.data.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
    expect(q.data[0]).toBe(0);
    expect(q.data[255]).toBe(255);
    for (let i = 1; i < 256; i++) expect(q.data[i]).toBeGreaterThanOrEqual(q.data[i - 1]);
  });

  it('equalises to a flat histogram of ranks', () => {
    const e = applyPostStep(ramp(), { kind: 'equalise', levels: 16 });
    const counts = new Array(16).fill(0);
    for (const v of e.data) counts[v]++;
    expect(counts.every((c) => c === 16)).toBe(true);
  });

  it('median-filters an isolated spike away and keeps a flat image flat', () => {
    const img = createImage(9, 9, new Float32Array(81).fill(5));
    img.data[40] = 1000;
    expect(Array.from(applyPostStep(img, { kind: 'median', passes: 1 }).data).every((v) => v === 5)).toBe(true);
  });

  it('a display curve maps the stretch to [0, 1]; low-pass and high-pass keep the size and leave the input alone', () => {
    const img = ramp();
    const before = img.data.slice();
    const c = applyPostStep(img, { kind: 'curve', lo: 0, hi: 100, gamma: 2 });
    expect(Math.min(...c.data)).toBe(0);
    expect(Math.max(...c.data)).toBe(1);
    const out = applyPostSteps(img, [
      { kind: 'lowpass', sigma: 1 },
      { kind: 'highpass', sigma: 3 },
    ]);
    expect([out.width, out.height]).toEqual([16, 16]);
    expect(img.data).toEqual(before);
  });

  it('random chains are seeded and bound the low-pass by the particle size', () => {
    const a = randomPostSteps(createRng(4), 10);
    expect(randomPostSteps(createRng(4), 10)).toEqual(a);
    for (let s = 0; s < 200; s++)
      for (const step of randomPostSteps(createRng(s), 10)) if (step.kind === 'lowpass') expect(step.sigma).toBeLessThanOrEqual(2);
    expect(() => randomPostSteps(createRng(1), 0)).toThrow();
  });
});
