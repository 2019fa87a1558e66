import { describe, expect, it } from 'vitest';
import { ctfZeros, electronWavelength, interactionConstant, makeCtf } from './ctf';
import { buildModel, particleDiameterA, particleDiameterPx, PARTICLE_KINDS } from './phantoms';
import { applyMatrix, quatToMatrix, randomQuat, symmetryMatrices } from './rotation';
import { createRng } from '../random';

describe('electron optics', () => {
  it('matches textbook wavelength and interaction constant', () => {
    // 300 kV: 0.01969 A; 200 kV: 0.02508 A (relativistic).
    expect(electronWavelength(300e3)).toBeCloseTo(0.01969, 4);
    expect(electronWavelength(200e3)).toBeCloseTo(0.02508, 4);
    // Kirkland (2010): sigma ~ 0.00065 rad/(V A) at 300 kV, ~0.00073 at 200 kV.
    expect(interactionConstant(300e3)).toBeGreaterThan(0.00064);
    expect(interactionConstant(300e3)).toBeLessThan(0.00066);
    expect(interactionConstant(200e3)).toBeGreaterThan(0.00072);
    expect(interactionConstant(200e3)).toBeLessThan(0.00074);
  });

  it('CTF is -A at zero frequency, negative at low frequency in underfocus, and zero at ctfZeros', () => {
    const p = { voltageKv: 300, csMm: 2.7, amplitudeContrast: 0.07, defocusU: 20000, defocusV: 20000, astigmatismAngleDeg: 0, bFactor: 0 };
    const ctf = makeCtf(p);
    expect(ctf(0, 0)).toBeCloseTo(-0.07, 6);
    expect(ctf(0.01, 0)).toBeLessThan(-0.1);
    for (const z of ctfZeros(300, 2.7, 0.07, 20000, 4)) expect(Math.abs(ctf(z, 0))).toBeLessThan(1e-6);
    // Astigmatism: the zero moves between the U and V directions.
    const ast = makeCtf({ ...p, defocusU: 22000, defocusV: 18000, astigmatismAngleDeg: 0 });
    const [zu] = ctfZeros(300, 2.7, 0.07, 22000, 1);
    const [zv] = ctfZeros(300, 2.7, 0.07, 18000, 1);
    expect(Math.abs(ast(zu, 0))).toBeLessThan(1e-6);
    expect(Math.abs(ast(0, zv))).toBeLessThan(1e-6);
  });
});

describe('rotations and phantoms', () => {
  it('random quaternions give proper rotations spread over the sphere', () => {
    const rng = createRng(11);
    let meanZ = 0;
    for (let i = 0; i < 2000; i++) {
      const m = quatToMatrix(randomQuat(rng));
      const z = applyMatrix(m, [0, 0, 1]);
      expect(Math.hypot(...z)).toBeCloseTo(1, 6);
      meanZ += z[2] / 2000;
    }
    // The rotated axis is uniform on the sphere: its mean z is ~0 (std of the mean ~0.013).
    expect(Math.abs(meanZ)).toBeLessThan(0.05);
  });

  it('point groups have the right orders', () => {
    expect(symmetryMatrices({ type: 'C', n: 4 })).toHaveLength(4);
    expect(symmetryMatrices({ type: 'D', n: 2 })).toHaveLength(4);
    expect(symmetryMatrices({ type: 'O' })).toHaveLength(24);
  });

  it('builds every kind with a size near its nominal diameter and thousands of atoms', () => {
    for (const kind of PARTICLE_KINDS) {
      const m = buildModel(kind);
      expect(m.count).toBeGreaterThan(1000);
      const d = 2 * m.maxRadius;
      expect(d / particleDiameterA(kind)).toBeGreaterThan(0.85);
      expect(d / particleDiameterA(kind)).toBeLessThan(1.25);
    }
    expect(particleDiameterPx('betagal', 1.3)).toBeCloseTo(180 / 1.3, 6);
  });

  it('apoferritin is hollow and symmetric: no atoms near the centre', () => {
    const m = buildModel('apoferritin');
    let minR = Infinity;
    for (let i = 0; i < m.count; i++) minR = Math.min(minR, Math.hypot(m.positions[3 * i], m.positions[3 * i + 1], m.positions[3 * i + 2]));
    expect(minR).toBeGreaterThan(30);
    // Masses follow 0.81 Da/A^3: a ~400 kDa complex, not 40 or 4000.
    expect(m.totalMassDa).toBeGreaterThan(250e3);
    expect(m.totalMassDa).toBeLessThan(600e3);
  });
});
