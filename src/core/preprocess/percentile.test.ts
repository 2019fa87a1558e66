import { describe, expect, it } from 'vitest';
import { ParameterError } from '../errors';
import { createRng } from '../random';
import { percentile, percentiles } from './percentile';

/** The definition: sort, interpolate at rank p/100 * (n - 1). */
function reference(values: Float32Array, p: number): number {
  const s = Float64Array.from(values).sort();
  const pos = (p / 100) * (s.length - 1);
  const i = Math.floor(pos);
  const t = pos - i;
  return t === 0 ? s[i] : s[i] + t * (s[Math.min(i + 1, s.length - 1)] - s[i]);
}

describe('percentiles', () => {
  it('small arrays: exact by sorting', () => {
    const v = Float32Array.from([5, 1, 4, 2, 3]);
    expect(percentiles(v, [0, 25, 50, 100])).toEqual([1, 2, 3, 5]);
    expect(percentile(v, 10)).toBeCloseTo(1.4, 6);
  });
  it('large arrays (histogram path) agree exactly with sorting', () => {
    const rng = createRng(7);
    const n = 300_000;
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = rng.normal() * 10 + (i % 97 === 0 ? 1e4 : 0); // heavy outliers
    const ps = [0, 0.5, 1, 37.3, 50, 99, 99.5, 100];
    const got = percentiles(v, ps);
    ps.forEach((p, i) => expect(got[i]).toBeCloseTo(reference(v, p), 4));
  });
  it('handles many ties and a spike of identical values', () => {
    const n = 100_000;
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = i < 90_000 ? 0.25 : i / n;
    for (const p of [1, 50, 89.9, 95, 99]) expect(percentile(v, p)).toBeCloseTo(reference(v, p), 6);
    expect(percentile(new Float32Array(70_000).fill(3), 99)).toBe(3);
  });
  it('ignores NaN and infinities; rejects bad input', () => {
    const v = Float32Array.from([Number.NaN, 1, 2, Number.POSITIVE_INFINITY, 3]);
    expect(percentile(v, 50)).toBe(2);
    expect(() => percentile(Float32Array.from([Number.NaN]), 50)).toThrow(ParameterError);
    expect(() => percentile(v, 101)).toThrow(ParameterError);
    expect(() => percentile(v, -1)).toThrow(ParameterError);
  });
});
