import { describe, expect, it } from 'vitest';
import { parseSampleIndex } from './samples';

describe('parseSampleIndex', () => {
  it('reads the shapes the demo index may have and drops what it cannot use', () => {
    expect(
      parseSampleIndex([
        { micrograph: 'a.mrc', truth: 'truth/a.star', diameter: 69, condition: 'typical' },
        'b.mrc',
        { file: 'c.tif', coordinates: 'c.box', diameter: -1 },
        42,
        {},
      ]),
    ).toEqual([
      { micrograph: 'a.mrc', truth: 'truth/a.star', diameter: 69 },
      { micrograph: 'b.mrc' },
      { micrograph: 'c.tif', truth: 'c.box' },
    ]);
    expect(parseSampleIndex({ samples: [{ name: 'x.mrc' }] })).toEqual([{ micrograph: 'x.mrc' }]);
    expect(parseSampleIndex(null)).toEqual([]);
  });
});
