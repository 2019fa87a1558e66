import { describe, expect, it } from 'vitest';
import { ParameterError } from '../errors';
import { imageStats, type Image2D } from '../image';
import { ctfZeros } from './ctf';
import { SIM_PRESETS, presetConfig } from './presets';
import { simulateMicrograph, truthPicks, type SimResult } from './simulate';
import { radialPowerSpectrum, particleSnr } from './spectrum';

const SMALL = { width: 256, height: 256 } as const;

/** Mean of an image over disks of radius f*r around each truth particle, and over rings r..1.6r. */
function diskVsRing(img: Image2D, res: SimResult, f = 0.5): { disk: number; ring: number } {
  let ds = 0;
  let dn = 0;
  let rs = 0;
  let rn = 0;
  const parts = res.truth.filter((p) => !p.cut);
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++) {
      let nearest = Infinity;
      let r = 0;
      for (const p of res.truth) {
        const d = Math.hypot(p.x - x, p.y - y) / p.radius;
        if (d < nearest) {
          nearest = d;
          r = p.radius;
        }
      }
      void r;
      const v = img.data[y * img.width + x];
      if (nearest < f && parts.length) {
        ds += v;
        dn++;
      } else if (nearest > 1 && nearest < 1.6) {
        rs += v;
        rn++;
      }
    }
  return { disk: ds / dn, ring: rs / rn };
}

describe('simulateMicrograph', () => {
  it('is deterministic from the seed and changes with it', () => {
    const a = simulateMicrograph({ ...SMALL, seed: 42 });
    const b = simulateMicrograph({ ...SMALL, seed: 42 });
    const c = simulateMicrograph({ ...SMALL, seed: 43 });
    expect(a.image.data).toEqual(b.image.data);
    expect(a.truth).toEqual(b.truth);
    expect(a.params.defocusU).toBe(b.params.defocusU);
    expect(c.image.data).not.toEqual(a.image.data);
  });

  it('places the requested number of particles with truth inside the image', () => {
    const r = simulateMicrograph({ width: 384, height: 320, kind: 'small', count: 40, seed: 2 });
    expect(r.truth).toHaveLength(40);
    expect(r.image.width).toBe(384);
    expect(r.image.height).toBe(320);
    const picks = truthPicks(r);
    expect(picks.length).toBeGreaterThan(20);
    for (const p of picks) {
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.x).toBeLessThanOrEqual(383);
      expect(p.y).toBeGreaterThanOrEqual(0);
      expect(p.y).toBeLessThanOrEqual(319);
    }
    // Non-overlapping by default: centres at least the sum of nominal radii apart.
    for (let i = 0; i < r.truth.length; i++)
      for (let j = i + 1; j < r.truth.length; j++) {
        const a = r.truth[i];
        const b = r.truth[j];
        expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeGreaterThanOrEqual(a.radius + b.radius - 1e-6);
      }
    // Some particles are cut by the border and are excluded from the truth picks.
    expect(r.truth.some((p) => p.cut)).toBe(true);
    expect(picks.length).toBe(r.truth.filter((p) => !p.cut && !p.inContamination).length);
  });

  it('gives mean counts of dose * pixelSize^2 and near-Poisson noise', () => {
    for (const dose of [20, 60]) {
      const r = simulateMicrograph({ ...SMALL, dose, pixelSize: 1.0, count: 0, iceGradientNm: 0, iceVariation: 0, iceNoise: 0, seed: 9 });
      const s = imageStats(r.image.data);
      expect(s.mean / dose).toBeGreaterThan(0.98);
      expect(s.mean / dose).toBeLessThan(1.02);
      // Shot noise with DQE 0.8: variance = mean / 0.8.
      expect((s.std * s.std) / (dose / 0.8)).toBeGreaterThan(0.9);
      expect((s.std * s.std) / (dose / 0.8)).toBeLessThan(1.1);
    }
  });

  it('cryo: particles are darker than the surrounding ice at underfocus', () => {
    const r = simulateMicrograph({ width: 320, height: 320, kind: 'betagal', count: 6, seed: 4, keepNoiseFree: true });
    const { disk, ring } = diskVsRing(r.noiseFree!, r);
    expect(disk).toBeLessThan(ring);
    const noisy = diskVsRing(r.image, r);
    expect(noisy.disk).toBeLessThan(noisy.ring);
  });

  it('negative stain: particles are brighter than the stain', () => {
    const r = simulateMicrograph({
      ...presetConfig('negative-stain'),
      width: 256,
      height: 256,
      kind: 'betagal',
      count: 6,
      seed: 4,
      keepNoiseFree: true,
    });
    const { disk, ring } = diskVsRing(r.noiseFree!, r);
    expect(disk).toBeGreaterThan(ring * 1.03);
  });

  it('adds a carbon region and contamination blobs when asked', () => {
    const base = { width: 384, height: 384, count: 30, kind: 'small' as const, seed: 6, iceGradientNm: 0, iceVariation: 0 };
    const plain = simulateMicrograph(base);
    const carbon = simulateMicrograph({ ...base, carbon: 'edge', carbonFraction: 0.4 });
    expect(plain.carbon).toBeNull();
    expect(carbon.carbon).not.toBeNull();
    expect(carbon.params.carbonFractionUsed).toBeGreaterThan(0.3);
    expect(carbon.params.carbonFractionUsed).toBeLessThan(0.5);
    // Carbon pixels are darker on average and grainier (higher local variance) than the hole.
    const { cx, cy, holeRadius } = carbon.carbon!;
    let onS = 0,
      onN = 0,
      offS = 0,
      offN = 0;
    for (let y = 0; y < 384; y++)
      for (let x = 0; x < 384; x++) {
        const d = Math.hypot(x - cx, y - cy) - holeRadius;
        const v = carbon.image.data[y * 384 + x];
        if (d > 10) {
          onS += v;
          onN++;
        } else if (d < -10) {
          offS += v;
          offN++;
        }
      }
    expect(onS / onN).toBeLessThan(offS / offN);
    expect(carbon.truth.some((p) => p.onCarbon)).toBe(true);
    expect(truthPicks(carbon, { includeOnCarbon: false }).length).toBeLessThan(truthPicks(carbon).length);

    const cont = simulateMicrograph({ ...base, contamination: 2 });
    expect(cont.contamination).toHaveLength(2);
    expect(imageStats(cont.image.data).min).toBeLessThan(imageStats(plain.image.data).min);
    const b = cont.contamination[0];
    const cxI = Math.min(383, Math.max(0, Math.round(b.cx)));
    const cyI = Math.min(383, Math.max(0, Math.round(b.cy)));
    expect(cont.image.data[cyI * 384 + cxI]).toBeLessThan(imageStats(plain.image.data).mean * 0.9);
  });

  it('supports clumped and overlapping layouts and empty areas', () => {
    const r = simulateMicrograph({
      width: 512,
      height: 512,
      kind: 'small',
      count: 60,
      clumping: 0.5,
      overlap: 0.2,
      emptyFraction: 0.2,
      seed: 8,
    });
    expect(r.truth.some((p) => p.clumped)).toBe(true);
    expect(r.truth.some((p) => p.overlapping)).toBe(true);
    expect(r.emptyRegions.length).toBeGreaterThan(0);
  });

  it.each([1.5, 2.0])('the first minimum of the power spectrum sits at the CTF first zero (defocus %s um)', (defocus) => {
    // Average four 512^2 micrographs at one defocus; find the minimum of the smoothed radial
    // spectrum within +-20% of the theoretical zero and require a real dip there. Round
    // particles and doubled ice noise make the spectrum smooth enough at this small size
    // (a few particles' own form factors make it bumpy; full 4k images do not need this).
    let power: Float64Array | null = null;
    let freqs: Float64Array = new Float64Array(0);
    for (let seed = 1; seed <= 4; seed++) {
      const r = simulateMicrograph({
        width: 512,
        height: 512,
        kind: 'apoferritin',
        density: 0.35,
        dose: 60,
        iceNoise: 2,
        astigmatismUm: 0,
        defocusUm: [defocus, defocus],
        seed,
      });
      const ps = radialPowerSpectrum(r.image, r.pixelSize);
      freqs = ps.frequencies;
      if (!power) power = new Float64Array(ps.power.length);
      for (let i = 0; i < power.length; i++) power[i] += ps.power[i];
    }
    const [z1] = ctfZeros(300, 2.7, 0.07, defocus * 1e4, 1);
    const sm = (i: number) => (power![i - 1] + power![i] + power![i + 1]) / 3;
    let best = -1;
    for (let i = 2; i < freqs.length - 2; i++) {
      if (freqs[i] < 0.8 * z1 || freqs[i] > 1.2 * z1) continue;
      if (best < 0 || sm(i) < sm(best)) best = i;
    }
    // Within 4% (one spectrum bin is ~3% of z1 here).
    expect(Math.abs(freqs[best] - z1) / z1).toBeLessThan(0.04);
    // It is a dip, not the edge of a slope: higher on both sides within the window.
    const lo = freqs.findIndex((f) => f >= 0.8 * z1);
    const hi = freqs.findIndex((f) => f >= 1.2 * z1);
    expect(Math.max(sm(lo), sm(lo + 1))).toBeGreaterThan(sm(best) * 1.05);
    expect(Math.max(sm(hi - 1), sm(hi))).toBeGreaterThan(sm(best) * 1.05);
  });

  it('has a realistic per-particle SNR (order 0.01-0.1) for apoferritin', () => {
    const snr = particleSnr('apoferritin', {}, { views: 2 });
    expect(snr.snr).toBeGreaterThan(0.005);
    expect(snr.snr).toBeLessThan(0.3);
  });

  it('rejects bad parameters with a ParameterError naming the problem', () => {
    expect(() => simulateMicrograph({ ...SMALL, dose: -1 })).toThrow(ParameterError);
    expect(() => simulateMicrograph({ ...SMALL, kind: 'virus' as never })).toThrow(/unknown particle kind "virus"/);
    expect(() => simulateMicrograph({ ...SMALL, defocusUm: [2, 1] })).toThrow(/defocus range/);
  });

  it('every preset runs', () => {
    for (const name of Object.keys(SIM_PRESETS) as (keyof typeof SIM_PRESETS)[]) {
      const r = simulateMicrograph({ ...presetConfig(name), width: 128, height: 128, seed: 1 });
      expect(Number.isFinite(imageStats(r.image.data).mean)).toBe(true);
    }
  });
});
