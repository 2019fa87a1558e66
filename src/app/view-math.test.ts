import { describe, expect, it } from 'vitest';
import { clampZoom, detailCovers, detailRequest, fitView, MAX_ZOOM, renderScale, toWorld, visibleRect, zoomAt } from './view-math';

describe('view math', () => {
  it('fit centres the whole image', () => {
    const v = fitView(1000, 500, 7676, 7420, 0, 1);
    expect(v.scale).toBeCloseTo(500 / 7420);
    expect(v.y).toBeCloseTo(0);
    expect(v.x + (7676 * v.scale) / 2).toBeCloseTo(500);
  });
  it('fit keeps the whole image below the tool bar, in a wide viewport and in a tall one', () => {
    for (const [w, h] of [
      [1000, 500],
      [800, 850],
    ]) {
      const v = fitView(w, h, 1240, 1200, 60);
      expect(v.y).toBeGreaterThanOrEqual(60);
      expect(v.y + 1200 * v.scale).toBeLessThanOrEqual(h);
      expect(v.x).toBeGreaterThanOrEqual(0);
      expect(v.x + 1240 * v.scale).toBeLessThanOrEqual(w);
    }
  });
  it('zoom keeps the point under the cursor fixed and is clamped', () => {
    const v = { scale: 0.5, x: 10, y: 20 };
    const before = toWorld(v, 300, 200);
    const z = zoomAt(v, 2, 300, 200);
    const after = toWorld(z, 300, 200);
    expect(after.x).toBeCloseTo(before.x);
    expect(after.y).toBeCloseTo(before.y);
    expect(clampZoom(1e6)).toBe(MAX_ZOOM);
  });
  it('visible rect is clipped to the image', () => {
    expect(visibleRect({ scale: 1, x: -100, y: 50 }, 400, 300, 1000, 1000)).toEqual({ x0: 100, y0: 0, x1: 500, y1: 250 });
  });
  it('detail is asked for only when the display is magnified, at screen resolution, with a margin', () => {
    // 7676 px wide image, display at 1/4: at fit (scale ~0.1) no detail.
    expect(detailRequest(fitView(1000, 800, 7676, 7420), 1000, 800, 7676, 7420, 4)).toBeUndefined();
    // At 1:1 the detail covers the view plus half a viewport each side, one pixel per screen pixel.
    const v = { scale: 1, x: -3000, y: -3000 };
    const req = detailRequest(v, 1000, 800, 7676, 7420, 4)!;
    expect(req).toEqual({ x0: 2500, y0: 2600, x1: 4500, y1: 4200, maxSide: 2000 });
    expect(renderScale(req)).toBe(1);
    const have = { x0: req.x0, y0: req.y0, x1: req.x1, y1: req.y1, scale: 1 };
    expect(detailCovers(have, visibleRect(v, 1000, 800, 7676, 7420), 1)).toBe(true);
    expect(detailCovers(have, visibleRect({ scale: 1, x: -4000, y: -3000 }, 1000, 800, 7676, 7420), 1)).toBe(false);
    expect(detailCovers({ ...have, scale: 2 }, visibleRect(v, 1000, 800, 7676, 7420), 1)).toBe(false);
  });
});
