// Rotations for the simulator: unit quaternions (w, x, y, z), 3x3 matrices (row-major) and
// the point groups of the phantoms (Cn, Dn, O).

import type { Rng } from '../random';

export type Vec3 = [number, number, number];
export type Quat = [number, number, number, number];
/** Row-major 3x3 rotation matrix. */
export type Mat3 = [number, number, number, number, number, number, number, number, number];

export function normalizeQuat(q: Quat): Quat {
  const n = Math.hypot(q[0], q[1], q[2], q[3]);
  return [q[0] / n, q[1] / n, q[2] / n, q[3] / n];
}

/** Uniformly distributed rotation (Haar measure on SO(3)); Shoemake, Graphics Gems III (1992). */
export function randomQuat(rng: Rng): Quat {
  const u1 = rng.next();
  const u2 = 2 * Math.PI * rng.next();
  const u3 = 2 * Math.PI * rng.next();
  const a = Math.sqrt(1 - u1);
  const b = Math.sqrt(u1);
  return [a * Math.sin(u2), a * Math.cos(u2), b * Math.sin(u3), b * Math.cos(u3)];
}

export function quatFromAxisAngle(axis: Vec3, angle: number): Quat {
  const n = Math.hypot(axis[0], axis[1], axis[2]) || 1;
  const s = Math.sin(angle / 2) / n;
  return [Math.cos(angle / 2), axis[0] * s, axis[1] * s, axis[2] * s];
}

/** Hamilton product: rotating by (a * b) applies b first, then a. */
export function quatMultiply(a: Quat, b: Quat): Quat {
  return [
    a[0] * b[0] - a[1] * b[1] - a[2] * b[2] - a[3] * b[3],
    a[0] * b[1] + a[1] * b[0] + a[2] * b[3] - a[3] * b[2],
    a[0] * b[2] - a[1] * b[3] + a[2] * b[0] + a[3] * b[1],
    a[0] * b[3] + a[1] * b[2] - a[2] * b[1] + a[3] * b[0],
  ];
}

/** The rotation taking unit vector `from` onto unit vector `to` (shortest arc). */
export function quatFromTo(from: Vec3, to: Vec3): Quat {
  const f = normalizeVec(from);
  const t = normalizeVec(to);
  const d = f[0] * t[0] + f[1] * t[1] + f[2] * t[2];
  if (d < -0.999999) {
    // Opposite vectors: any perpendicular axis works.
    const axis: Vec3 = Math.abs(f[0]) < 0.9 ? cross(f, [1, 0, 0]) : cross(f, [0, 1, 0]);
    return quatFromAxisAngle(axis, Math.PI);
  }
  const c = cross(f, t);
  return normalizeQuat([1 + d, c[0], c[1], c[2]]);
}

export function quatToMatrix(q: Quat): Mat3 {
  const [w, x, y, z] = normalizeQuat(q);
  return [
    1 - 2 * (y * y + z * z),
    2 * (x * y - w * z),
    2 * (x * z + w * y),
    2 * (x * y + w * z),
    1 - 2 * (x * x + z * z),
    2 * (y * z - w * x),
    2 * (x * z - w * y),
    2 * (y * z + w * x),
    1 - 2 * (x * x + y * y),
  ];
}

export function applyMatrix(m: Mat3, v: Vec3): Vec3 {
  return [m[0] * v[0] + m[1] * v[1] + m[2] * v[2], m[3] * v[0] + m[4] * v[1] + m[5] * v[2], m[6] * v[0] + m[7] * v[1] + m[8] * v[2]];
}

export function transpose(m: Mat3): Mat3 {
  return [m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]];
}

export function multiplyMatrices(a: Mat3, b: Mat3): Mat3 {
  const r = new Array<number>(9).fill(0) as Mat3;
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) r[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
  return r;
}

export function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

export function normalizeVec(v: Vec3): Vec3 {
  const n = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / n, v[1] / n, v[2] / n];
}

/**
 * A rotation near `centre`: the particle axis keeps pointing close to the beam (a small tilt,
 * half-normal with the given spread) while the in-plane angle is free, as for real preferred views.
 */
export function perturbedQuat(centre: Quat, spreadRad: number, rng: Rng): Quat {
  const tiltAxis: Vec3 = [rng.normal(), rng.normal(), 0];
  const tilt = quatFromAxisAngle(tiltAxis, Math.abs(rng.normal()) * spreadRad);
  const inPlane = quatFromAxisAngle([0, 0, 1], rng.uniform(0, 2 * Math.PI));
  return normalizeQuat(quatMultiply(inPlane, quatMultiply(tilt, centre)));
}

export type Symmetry = { type: 'C'; n: number } | { type: 'D'; n: number } | { type: 'O' };

function rotZ(a: number): Mat3 {
  const c = Math.cos(a);
  const s = Math.sin(a);
  return [c, -s, 0, s, c, 0, 0, 0, 1];
}

const ROT_X_180: Mat3 = [1, 0, 0, 0, -1, 0, 0, 0, -1];

function det3(m: Mat3): number {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

/** The rotation matrices of a point group; the identity comes first. */
export function symmetryMatrices(sym: Symmetry): Mat3[] {
  if (sym.type === 'O') {
    // The 24 proper rotations of the cube: signed permutation matrices with determinant +1.
    const perms = [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ];
    const out: Mat3[] = [];
    for (const p of perms) {
      for (let signs = 0; signs < 8; signs++) {
        const m = new Array<number>(9).fill(0) as Mat3;
        for (let r = 0; r < 3; r++) m[3 * r + p[r]] = signs & (1 << r) ? -1 : 1;
        if (det3(m) > 0) out.push(m);
      }
    }
    return out;
  }
  const cyclic: Mat3[] = [];
  for (let k = 0; k < sym.n; k++) cyclic.push(rotZ((2 * Math.PI * k) / sym.n));
  if (sym.type === 'C') return cyclic;
  return [...cyclic, ...cyclic.map((m) => multiplyMatrices(m, ROT_X_180))];
}
