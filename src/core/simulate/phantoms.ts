// Procedural 3D pseudo-atomic density models of the particle kinds the simulator makes.
// Each kind is a union of ellipsoids (one asymmetric unit) replicated by its point group;
// a few thousand Gaussian pseudo-atoms fill that volume at the density of protein,
// 1.35 g/cm^3 = 0.81 Da/A^3 (Fischer, Polikarpov & Craievich, Protein Sci. 13:2825, 2004),
// so masses, and hence contrast between kinds, are realistic. Shapes are caricatures sized
// to the named complexes, not atomic structures.

import { ParameterError } from '../errors';
import { createRng } from '../random';
import {
  applyMatrix,
  quatFromTo,
  quatToMatrix,
  symmetryMatrices,
  transpose,
  type Mat3,
  type Quat,
  type Symmetry,
  type Vec3,
} from './rotation';

export type ParticleKind = 'trpv1' | 'betagal' | 'proteasome' | 'apoferritin' | 'ribosome' | 'small' | 'shell' | 'ring' | 'rod' | 'dimer';

export const PARTICLE_KINDS: readonly ParticleKind[] = [
  'trpv1',
  'betagal',
  'proteasome',
  'apoferritin',
  'ribosome',
  'small',
  'shell',
  'ring',
  'rod',
  'dimer',
];

/**
 * The named complexes of the first releases. The generic shapes after them (a hollow shell, a
 * flat ring, a rod, a two-lobed dimer) widen what the shipped models see in training, so that
 * they find particles of shapes they were never shown; docs/simulator.md lists all kinds.
 */
export const NAMED_KINDS: readonly ParticleKind[] = ['trpv1', 'betagal', 'proteasome', 'apoferritin', 'ribosome', 'small'];

/** Protein mass density, Da per cubic angstrom (1.35 g/cm^3). */
export const PROTEIN_DENSITY_DA_PER_A3 = 0.81;

interface Ellipsoid {
  centre: Vec3;
  /** Semi-axes along the ellipsoid's own x, y, z. */
  radii: Vec3;
  /** Orientation of the ellipsoid's axes in the particle frame. */
  orientation?: Quat;
}

interface KindSpec {
  /** Nominal diameter (longest dimension), angstrom: what a user would type as particle size. */
  diameterA: number;
  symmetry: Symmetry;
  /** One asymmetric unit. */
  parts: Ellipsoid[];
  /** A point of the asymmetric unit off every symmetry axis (seeds the symmetric partition). */
  anchor: Vec3;
  atoms: number;
  /** Density relative to protein (ribosomes are ~60% RNA, which is denser). */
  densityScale: number;
  description: string;
}

// Apoferritin: 24 four-helix-bundle subunits lying tangentially on a 50 A radius shell.
const FERRITIN_DIR: Vec3 = normalize([1, 0.38, 0.17]);
// Perpendicular to FERRITIN_DIR (cross product with z), so the bundle lies in the shell.
const FERRITIN_TANGENT: Vec3 = normalize([0.38, -1, 0]);

function normalize(v: Vec3): Vec3 {
  const n = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / n, v[1] / n, v[2] / n];
}

const SPECS: Record<ParticleKind, KindSpec> = {
  trpv1: {
    diameterA: 100,
    symmetry: { type: 'C', n: 4 },
    parts: [
      { centre: [22, 4, 30], radii: [16, 15, 22] }, // transmembrane domain
      { centre: [28, 12, -24], radii: [17, 21, 26] }, // cytoplasmic ankyrin-repeat domain
      { centre: [12, 6, 2], radii: [12, 12, 16] }, // linker around the axis
    ],
    anchor: [25, 9, 5],
    atoms: 3000,
    densityScale: 1,
    description: 'TRPV1-like C4 tetramer, ~100 A',
  },
  betagal: {
    diameterA: 180,
    symmetry: { type: 'D', n: 2 },
    parts: [
      { centre: [40, 33, 20], radii: [40, 35, 24] },
      { centre: [70, 12, 22], radii: [22, 18, 16] },
    ],
    anchor: [42, 31, 19],
    atoms: 4000,
    densityScale: 1,
    description: 'beta-galactosidase-like D2 tetramer, ~180 x 140 x 87 A',
  },
  proteasome: {
    diameterA: 150,
    symmetry: { type: 'C', n: 7 },
    parts: [
      { centre: [38, 0, 55], radii: [15, 16, 17] }, // alpha ring
      { centre: [38, 3, 18], radii: [16, 16, 18] }, // beta ring
      { centre: [38, 3, -18], radii: [16, 16, 18] }, // beta ring
      { centre: [38, 0, -55], radii: [15, 16, 17] }, // alpha ring
    ],
    anchor: [38, 2, 7],
    atoms: 4200,
    densityScale: 1,
    description: '20S-proteasome-like barrel of four stacked 7-fold rings, ~150 x 110 A',
  },
  apoferritin: {
    diameterA: 120,
    symmetry: { type: 'O' },
    parts: [
      {
        centre: [FERRITIN_DIR[0] * 49, FERRITIN_DIR[1] * 49, FERRITIN_DIR[2] * 49],
        radii: [14, 16, 28],
        orientation: quatFromTo([0, 0, 1], FERRITIN_TANGENT),
      },
    ],
    anchor: [FERRITIN_DIR[0] * 49, FERRITIN_DIR[1] * 49, FERRITIN_DIR[2] * 49],
    atoms: 3600,
    densityScale: 1,
    description: 'apoferritin-like hollow 24-mer (O symmetry), ~120 A outer, ~80 A inner diameter',
  },
  ribosome: {
    diameterA: 250,
    symmetry: { type: 'C', n: 1 },
    parts: [
      { centre: [0, 0, 30], radii: [110, 95, 68] }, // large subunit
      { centre: [-5, 10, -55], radii: [95, 70, 40] }, // small subunit
      { centre: [105, -50, 45], radii: [32, 12, 12] }, // stalk
      { centre: [-20, 30, 95], radii: [30, 25, 20] }, // central protuberance
    ],
    anchor: [0, 0, 0],
    atoms: 6000,
    densityScale: 1.25,
    description: 'ribosome-like asymmetric particle of two unequal lobes, ~250 A',
  },
  small: {
    diameterA: 60,
    symmetry: { type: 'C', n: 1 },
    parts: [
      { centre: [0, 0, 0], radii: [26, 22, 18] },
      { centre: [14, 10, 12], radii: [14, 12, 11] },
    ],
    anchor: [0, 0, 0],
    atoms: 1500,
    densityScale: 1,
    description: 'small globular protein, ~60 A (~50 kDa)',
  },
  shell: {
    // A large hollow capsid-like shell: 48 blobs on a sphere of ~110 A radius, ~25 A thick.
    diameterA: 260,
    symmetry: { type: 'O' },
    parts: [
      { centre: [105, 30, 12], radii: [16, 26, 30], orientation: quatFromTo([0, 0, 1], normalize([-0.3, 1, 0])) },
      { centre: [70, 70, 45], radii: [16, 26, 28], orientation: quatFromTo([0, 0, 1], normalize([1, -1, 0])) },
    ],
    anchor: [105, 30, 12],
    atoms: 9000,
    densityScale: 1,
    description: 'capsid-like hollow shell (O symmetry), ~260 A outer, ~200 A inner diameter',
  },
  ring: {
    // A flat toroid: rings in top views, short bars in side views.
    diameterA: 140,
    symmetry: { type: 'C', n: 10 },
    parts: [{ centre: [52, 0, 0], radii: [16, 16, 20] }],
    anchor: [52, 0, 0],
    atoms: 2600,
    densityScale: 1,
    description: 'flat C10 toroid, ~140 A across, ~40 A thick, ~70 A hole',
  },
  rod: {
    // An elongated particle: a chain of lobes along one axis.
    diameterA: 280,
    symmetry: { type: 'C', n: 1 },
    parts: [
      { centre: [0, 0, -100], radii: [28, 26, 40] },
      { centre: [4, 3, -35], radii: [24, 24, 38] },
      { centre: [-3, 2, 30], radii: [25, 22, 38] },
      { centre: [2, -4, 98], radii: [30, 27, 40] },
    ],
    anchor: [0, 0, 0],
    atoms: 3600,
    densityScale: 1,
    description: 'elongated rod of four lobes, ~280 x 60 A',
  },
  dimer: {
    // Two globular lobes side by side with a narrow waist.
    diameterA: 170,
    symmetry: { type: 'C', n: 2 },
    parts: [
      { centre: [42, 0, 0], radii: [40, 34, 32] },
      { centre: [8, 0, 6], radii: [14, 14, 14] },
    ],
    anchor: [42, 0, 0],
    atoms: 3800,
    densityScale: 1,
    description: 'C2 dimer of two ~80 A globular lobes, ~170 A long',
  },
};

/** A pseudo-atomic model, centred on its centre of mass; coordinates in angstrom. */
export interface PseudoAtomModel {
  kind: ParticleKind;
  /** x, y, z per atom. */
  positions: Float32Array;
  /** Mass of each pseudo-atom, Da. */
  atomMass: number;
  /** Gaussian sigma of each pseudo-atom, angstrom. */
  atomSigma: number;
  count: number;
  totalMassDa: number;
  /** Largest distance of an atom from the centre, angstrom. */
  maxRadius: number;
  diameterA: number;
  description: string;
}

export function isParticleKind(k: unknown): k is ParticleKind {
  return typeof k === 'string' && (PARTICLE_KINDS as readonly string[]).includes(k);
}

function checkKind(kind: string): asserts kind is ParticleKind {
  if (!isParticleKind(kind)) {
    throw new ParameterError(`unknown particle kind "${kind}"; expected one of ${PARTICLE_KINDS.join(', ')}`);
  }
}

/** Nominal particle diameter (longest dimension) in angstrom. */
export function particleDiameterA(kind: ParticleKind): number {
  checkKind(kind);
  return SPECS[kind].diameterA;
}

/** Nominal particle diameter in pixels at the given pixel size (A/px). */
export function particleDiameterPx(kind: ParticleKind, pixelSize: number): number {
  if (!(pixelSize > 0)) throw new ParameterError(`pixel size must be positive, got ${pixelSize}`);
  return particleDiameterA(kind) / pixelSize;
}

function insideParts(parts: readonly { centre: Vec3; inv: Mat3 | null; radii: Vec3 }[], p: Vec3): boolean {
  for (const e of parts) {
    let d: Vec3 = [p[0] - e.centre[0], p[1] - e.centre[1], p[2] - e.centre[2]];
    if (e.inv) d = applyMatrix(e.inv, d);
    const q = (d[0] / e.radii[0]) ** 2 + (d[1] / e.radii[1]) ** 2 + (d[2] / e.radii[2]) ** 2;
    if (q <= 1) return true;
  }
  return false;
}

function seedOf(kind: string): number {
  let h = 2166136261;
  for (let i = 0; i < kind.length; i++) h = Math.imul(h ^ kind.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * Build a kind's pseudo-atoms. Points are drawn uniformly in the union of all symmetry
 * copies of the asymmetric unit, restricted to the Voronoi cell of the anchor's orbit
 * (a partition that the group maps onto itself), then replicated by every group element:
 * the result is exactly symmetric with no doubled density where copies touch.
 */
export function buildModel(kind: ParticleKind): PseudoAtomModel {
  checkKind(kind);
  const spec = SPECS[kind];
  const group = symmetryMatrices(spec.symmetry);
  const g = group.length;
  const parts = spec.parts.map((e) => ({
    centre: e.centre,
    radii: e.radii,
    inv: e.orientation ? transpose(quatToMatrix(e.orientation)) : null,
  }));
  const inverses = group.map(transpose);
  const orbit = group.map((m) => applyMatrix(m, spec.anchor));
  let extent = 0;
  for (const e of spec.parts) extent = Math.max(extent, Math.hypot(...e.centre) + Math.max(...e.radii));
  const rng = createRng(seedOf(kind));
  const perUnit = Math.round(spec.atoms / g);
  const unit: Vec3[] = [];
  let tries = 0;
  let inUnion = 0;
  while (unit.length < perUnit) {
    const p: Vec3 = [rng.uniform(-extent, extent), rng.uniform(-extent, extent), rng.uniform(-extent, extent)];
    tries++;
    let inside = false;
    for (const inv of inverses) {
      if (insideParts(parts, applyMatrix(inv, p))) {
        inside = true;
        break;
      }
    }
    if (!inside) continue;
    inUnion++;
    const d0 = (p[0] - orbit[0][0]) ** 2 + (p[1] - orbit[0][1]) ** 2 + (p[2] - orbit[0][2]) ** 2;
    let nearest = true;
    for (let j = 1; j < g && nearest; j++) {
      const dj = (p[0] - orbit[j][0]) ** 2 + (p[1] - orbit[j][1]) ** 2 + (p[2] - orbit[j][2]) ** 2;
      if (dj < d0) nearest = false;
    }
    if (nearest) unit.push(p);
  }
  const volume = (inUnion / tries) * (2 * extent) ** 3;
  const count = perUnit * g;
  const totalMassDa = volume * PROTEIN_DENSITY_DA_PER_A3 * spec.densityScale;
  const positions = new Float32Array(3 * count);
  let i = 0;
  for (const m of group) {
    for (const p of unit) {
      const q = applyMatrix(m, p);
      positions[i++] = q[0];
      positions[i++] = q[1];
      positions[i++] = q[2];
    }
  }
  // Centre on the centre of mass (all atoms weigh the same).
  const c = [0, 0, 0];
  for (let a = 0; a < count; a++) for (let k = 0; k < 3; k++) c[k] += positions[3 * a + k] / count;
  let maxRadius = 0;
  for (let a = 0; a < count; a++) {
    for (let k = 0; k < 3; k++) positions[3 * a + k] -= c[k];
    maxRadius = Math.max(maxRadius, Math.hypot(positions[3 * a], positions[3 * a + 1], positions[3 * a + 2]));
  }
  // Atoms are about (V/N)^(1/3) = 5-9 A apart. Gaussians of ~0.35 that spacing (2-3 A) keep
  // the random, Wilson-like high-resolution power that real proteins have (what makes Thon
  // rings visible); wider ones would act as a large B-factor on every particle.
  const atomSigma = 0.35 * Math.cbrt(volume / count);
  return {
    kind,
    positions,
    atomMass: totalMassDa / count,
    atomSigma,
    count,
    totalMassDa,
    maxRadius,
    diameterA: spec.diameterA,
    description: spec.description,
  };
}

const cache = new Map<ParticleKind, PseudoAtomModel>();

/** The kind's model, built once per process (deterministic: the seed is the kind's name). */
export function getModel(kind: ParticleKind): PseudoAtomModel {
  let m = cache.get(kind);
  if (!m) {
    m = buildModel(kind);
    cache.set(kind, m);
  }
  return m;
}

export function kindDescription(kind: ParticleKind): string {
  checkKind(kind);
  return SPECS[kind].description;
}
