import { describe, expect, it } from 'vitest';
import { createImage } from '../image';
import { detectorCrops, detectorWeightMap } from './detector-crops';
import { detectorLabelMap } from './labels';

describe('detectorWeightMap', () => {
  it('weighs the disks of labelled places fully and everything else with the unlabelled weight', () => {
    const w = detectorWeightMap(20, 10, [{ x: 5, y: 5 }], 3, 0.25);
    expect(w.data[5 * 20 + 5]).toBe(1);
    expect(w.data[5 * 20 + 8]).toBe(1); // on the disk's edge (radius 3)
    expect(w.data[5 * 20 + 9]).toBe(0.25);
    expect(w.data[0]).toBe(0.25);
    expect(() => detectorWeightMap(4, 4, [], 2, 1.5)).toThrow(/\[0, 1\]/);
  });
});

describe('detectorCrops', () => {
  const W = 150;
  const H = 100;
  const input = createImage(
    W,
    H,
    Float32Array.from({ length: W * H }, (_, i) => i),
  );
  const labels = detectorLabelMap(W, H, [{ x: 30, y: 40 }], 5);
  const weights = detectorWeightMap(W, H, [{ x: 30, y: 40 }], 5, 0.5);

  it('covers the whole image with overlapping crops, each in its copies, image, labels and weights cut alike', () => {
    const c = detectorCrops(input, labels, weights, { size: 64, stride: 48, copies: 2, seed: 1 });
    // Origins 0, 43, 86 across and 0, 36 down: six crops, two copies each.
    expect(c.n).toBe(12);
    expect(c.size).toBe(64);
    expect(c.inputs).toHaveLength(12 * 64 * 64);
    // The first copy of a crop is unflipped: crop 0 starts at the image's corner.
    expect(c.inputs[0]).toBe(0);
    expect(c.inputs[63]).toBe(63);
    expect(c.inputs[64]).toBe(W);
    // Every input value is an image value; weights are 1 only where labels can be non-zero or at a labelled place.
    for (let i = 0; i < c.weights.length; i++) if (c.labels[i] > 0) expect(c.weights[i]).toBe(1);
    expect(new Set(c.weights)).toEqual(new Set([0.5, 1]));
  });

  it('fills a crop larger than the image by reflection', () => {
    const small = createImage(
      20,
      10,
      Float32Array.from({ length: 200 }, (_, i) => i % 20),
    );
    const c = detectorCrops(small, createImage(20, 10), createImage(20, 10), { size: 32, copies: 1, seed: 1 });
    expect(c.n).toBe(1);
    expect(c.inputs.every((v) => v >= 0 && v < 20)).toBe(true);
  });
});
