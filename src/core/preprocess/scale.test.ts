import { describe, expect, it } from 'vitest';
import { ParameterError } from '../errors';
import { chooseWorkingScale, originalToWorking, workingToOriginal } from './scale';

describe('chooseWorkingScale (paper rule, docs/method.md step 2)', () => {
  it('small particle on a 4096 px K2-size image: f1 = 1, f2 keeps width <= 1800', () => {
    // d/2 = 30 <= 32 -> f1 = 1; 4096 > 1800 -> f2 = ceil(4096/1800) = 3.
    expect(chooseWorkingScale(60, 4096)).toEqual({ scale: 3, radius: 10, f1: 1, f2: 3, refRadius: 32 });
  });
  it('d/2 between r_ref and 2 r_ref gives f1 = 2', () => {
    // d/2 = 64 -> f1 = 2; 4096/2 = 2048 > 1800 -> f2 = 2; radius floor(64/4) = 16.
    expect(chooseWorkingScale(128, 4096)).toEqual({ scale: 4, radius: 16, f1: 2, f2: 2, refRadius: 32 });
    // 3710 px wide (a Falcon-size image): 3710/2 = 1855 > 1800 -> f2 = 2.
    expect(chooseWorkingScale(100, 3710).f2).toBe(2);
  });
  it('larger particles: f1 = ceil((d/2)/r_ref)', () => {
    // d/2 = 100 -> ceil(100/32) = 4; 4096/4 = 1024 -> f2 = 1.
    expect(chooseWorkingScale(200, 4096)).toEqual({ scale: 4, radius: 25, f1: 4, f2: 1, refRadius: 32 });
  });
  it('switches to r_ref = 48 when d/2 > 144', () => {
    // d/2 = 150 -> r_ref 48, f1 = ceil(150/48) = 4.
    expect(chooseWorkingScale(300, 4096)).toEqual({ scale: 4, radius: 37, f1: 4, f2: 1, refRadius: 48 });
    expect(chooseWorkingScale(288, 4096).refRadius).toBe(32); // d/2 = 144 exactly stays 32
  });
  it('small image needs no reduction', () => {
    expect(chooseWorkingScale(40, 1024)).toEqual({ scale: 1, radius: 20, f1: 1, f2: 1, refRadius: 32 });
    expect(chooseWorkingScale(40, 1800).f2).toBe(1);
    expect(chooseWorkingScale(40, 1801).f2).toBe(2);
  });
  it('honours refRadius and maxWorkingWidth overrides', () => {
    // Our own detector at r_ref = 16: d/2 = 30 -> f1 = 2; 4096/2 > 1800 -> f2 = 2.
    expect(chooseWorkingScale(60, 4096, { refRadius: 16 })).toEqual({ scale: 4, radius: 7, f1: 2, f2: 2, refRadius: 16 });
    expect(chooseWorkingScale(60, 4096, { maxWorkingWidth: 4096 }).scale).toBe(1);
  });
  it('rejects impossible diameters with a ParameterError', () => {
    for (const d of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => chooseWorkingScale(d, 4096)).toThrow(ParameterError);
    expect(() => chooseWorkingScale(5000, 4096)).toThrow(/larger than the image/);
    expect(() => chooseWorkingScale(50, 0)).toThrow(ParameterError);
    expect(() => chooseWorkingScale(50, 4096, { refRadius: 0 })).toThrow(ParameterError);
  });
});

describe('working <-> original coordinates', () => {
  it('working pixel i is the centre of the block it averages', () => {
    expect(workingToOriginal(0, 3)).toBe(1);
    expect(workingToOriginal(2, 4)).toBe(9.5);
    expect(originalToWorking(workingToOriginal(7.25, 3), 3)).toBeCloseTo(7.25, 12);
    expect(workingToOriginal(5, 1)).toBe(5);
  });
});
