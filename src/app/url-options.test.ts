import { describe, expect, it } from 'vitest';
import { urlOptions } from './url-options';

describe('urlOptions', () => {
  it('reads backend, workers and models and ignores nonsense', () => {
    expect(urlOptions('?backend=wasm&workers=2&models=/m/')).toEqual({ backend: 'wasm', workers: 2, models: '/m/' });
    expect(urlOptions('?backend=gpu&workers=0')).toEqual({});
    expect(urlOptions('?workers=1.5')).toEqual({});
    expect(urlOptions('')).toEqual({});
  });
});
