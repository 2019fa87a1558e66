import { describe, expect, it } from 'vitest';
import { NearCache } from './near-cache';

describe('NearCache', () => {
  it('answers within the radius with the nearest stored value, across cell borders', () => {
    const c = new NearCache(1);
    c.set(10, 10, 0.9);
    c.set(11.5, 10, 0.2);
    expect(c.get(10.3, 10.2)).toBe(0.9);
    expect(c.get(11.2, 10)).toBe(0.2);
    expect(c.get(9.05, 9.9)).toBe(0.9); // neighbouring cell
    expect(c.get(8.8, 10)).toBeUndefined(); // 1.2 away
    expect(c.size).toBe(2);
    c.clear();
    expect(c.get(10, 10)).toBeUndefined();
    expect(() => new NearCache(0)).toThrow(RangeError);
  });
});
