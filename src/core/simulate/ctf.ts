// Electron optics for the simulator: relativistic wavelength, the interaction constant, and
// the contrast transfer function (CTF) with astigmatism and a B-factor envelope.
//
// Conventions (same as CTFFIND4, Rohou & Grigorieff, J. Struct. Biol. 192:216, 2015, and
// RELION): defocus is POSITIVE for UNDERFOCUS, in angstrom;
//   chi(s) = pi lambda df(theta) s^2 - (pi/2) Cs lambda^3 s^4,
//   df(theta) = (dU + dV)/2 + (dU - dV)/2 cos(2 (theta - astigmatismAngle)),
//   CTF(s) = -( sqrt(1 - A^2) sin chi + A cos chi ) * exp(-B s^2 / 4),
// and a weak-phase object of phase phi gives intensity I = I0 (1 + 2 CTF (x) phi).
// So at underfocus the CTF is negative at low frequency and particles (positive potential,
// positive phase) come out DARKER than the ice around them, as in real cryo-EM.

// CODATA 2018 constants, SI.
const H = 6.62607015e-34;
const M0 = 9.1093837015e-31;
const E = 1.602176634e-19;
const C = 299792458;

/** Relativistic electron wavelength in angstrom for an accelerating voltage in volts. */
export function electronWavelength(voltageV: number): number {
  const p = Math.sqrt(2 * M0 * E * voltageV * (1 + (E * voltageV) / (2 * M0 * C * C)));
  return (H / p) * 1e10;
}

/**
 * Interaction constant sigma = 2 pi m e lambda / h^2 with the relativistic mass m = gamma m0,
 * in rad / (V A). Kirkland, "Advanced Computing in Electron Microscopy", 2nd ed. (2010), eq. 5.6:
 * about 0.00065 rad/(V A) at 300 kV and 0.00073 at 200 kV.
 */
export function interactionConstant(voltageV: number): number {
  const lambdaM = electronWavelength(voltageV) * 1e-10;
  const m = M0 * (1 + (E * voltageV) / (M0 * C * C));
  return ((2 * Math.PI * m * E * lambdaM) / (H * H)) * 1e-10;
}

export interface CtfParams {
  voltageKv: number;
  /** Spherical aberration, mm. */
  csMm: number;
  amplitudeContrast: number;
  /** Defocus along the astigmatism angle, angstrom (positive = underfocus). */
  defocusU: number;
  /** Defocus perpendicular to it, angstrom. */
  defocusV: number;
  /** Angle of the defocusU axis from the image x axis, degrees. */
  astigmatismAngleDeg: number;
  /** Envelope B-factor, A^2 (amplitude falls as exp(-B s^2 / 4)). */
  bFactor: number;
}

/** A CTF evaluator for spatial frequencies in 1/A (sx along image x, sy along image y). */
export function makeCtf(p: CtfParams): (sx: number, sy: number) => number {
  const lambda = electronWavelength(p.voltageKv * 1000);
  const cs = p.csMm * 1e7;
  const mean = (p.defocusU + p.defocusV) / 2;
  const half = (p.defocusU - p.defocusV) / 2;
  const ang = (p.astigmatismAngleDeg * Math.PI) / 180;
  const c2a = Math.cos(2 * ang);
  const s2a = Math.sin(2 * ang);
  // sqrt(1 - A^2) sin chi + A cos chi = sin(chi + asin A): one sine per frequency.
  const alpha = Math.asin(p.amplitudeContrast);
  const k1 = Math.PI * lambda;
  const k2 = 0.5 * Math.PI * cs * lambda ** 3;
  const b4 = p.bFactor / 4;
  return (sx: number, sy: number) => {
    const s2 = sx * sx + sy * sy;
    if (s2 === 0) return -Math.sin(alpha);
    // cos(2 (theta - ang)) from the components, without atan2.
    const cos2 = ((sx * sx - sy * sy) * c2a + 2 * sx * sy * s2a) / s2;
    const df = mean + half * cos2;
    const chi = k1 * df * s2 - k2 * s2 * s2;
    return -Math.sin(chi + alpha) * Math.exp(-b4 * s2);
  };
}

/**
 * Spatial frequencies (1/A) of the first n zeros of a non-astigmatic CTF with defocus df:
 * the roots of chi(s) = k pi - asin(A), k = 1..n (tan chi = -A / sqrt(1 - A^2)).
 */
export function ctfZeros(voltageKv: number, csMm: number, amplitudeContrast: number, defocusA: number, n: number): number[] {
  const lambda = electronWavelength(voltageKv * 1000);
  const cs = csMm * 1e7;
  const out: number[] = [];
  for (let k = 1; k <= n; k++) {
    const target = k * Math.PI - Math.asin(amplitudeContrast);
    // (pi/2) Cs l^3 u^2 - pi l df u + target = 0 with u = s^2; take the smaller root.
    const qa = 0.5 * Math.PI * cs * lambda ** 3;
    const qb = -Math.PI * lambda * defocusA;
    const disc = qb * qb - 4 * qa * target;
    if (disc < 0) break;
    // Smaller root in the cancellation-free form 2c / (-b + sqrt(disc)).
    const u = (2 * target) / (-qb + Math.sqrt(disc));
    out.push(Math.sqrt(u));
  }
  return out;
}
