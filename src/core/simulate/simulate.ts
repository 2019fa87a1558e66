// Simulated cryo-EM (or negative-stain) micrographs with ground truth.
//
// Image formation, in order (simulateMicrograph runs one function a stage, named here):
//  1. Layout and orientations of particles (placeArtifacts, placeParticles; layout.ts,
//     rotation.ts), each kind a pseudo-atomic model (phantoms.ts) projected along the beam into
//     a map of projected mass (projectMass; project.ts).
//  2. Projected potential -> phase (phaseMap): phi = sigma * integral(dV dz), sigma the
//     interaction constant for the voltage (ctf.ts). Protein contributes its potential in EXCESS
//     of the ice it displaces; carbon and contamination add their own (soft-capped: see
//     PHASE_CAP_RAD).
//  3. One FFT pass over the whole canvas (filterSpectrum, with the optics from drawOptics):
//     spectrum * CTF * detector MTF, with amorphous-ice structural noise added in Fourier space
//     first, then back: contrast c(x, y) = CTF (x) phi.
//  4. Intensity I = I0(x, y) (1 + 2 c) (expectedCounts), where I0 = dose * pixelSize^2 times
//     slowly varying transmission factors (transmission: ice thickness ramp and texture,
//     carbon, contamination blobs, stain) applied in real space because they vary on scales
//     where the CTF is ~ -A.
//  5. Shot noise at the detector (detector.ts). Output is in counts per pixel, as a
//     motion-corrected sum would be: mean ~ dose * pixelSize^2.
// Sign: at underfocus, particles are DARKER than the ice at low resolution (see ctf.ts); in
// negative stain they are BRIGHTER than the surrounding stain.

import { insideEdgeMargin } from '../candidates';
import { ParameterError } from '../errors';
import { nextPow2, rfft2d, irfft2d, signedIndex, type HalfSpectrum } from '../fft2d';
import { createImage, type Image2D } from '../image';
import type { Particle } from '../coords/types';
import { createRng, type Rng } from '../random';
import {
  carbonDistance,
  grainField,
  iceRamp,
  insideBlob,
  makeCarbon,
  makeContamination,
  rasterizeCarbon,
  rasterizeContamination,
  type CarbonGeometry,
  type ContaminationBlob,
} from './artifacts';
import { makeCtf, interactionConstant } from './ctf';
import { applyShotNoise, DEFAULT_DETECTOR, detectorMtf, type DetectorParams } from './detector';
import { fractalField } from './fields';
import { layoutParticles, makeEmptyRegions, type EmptyRegion } from './layout';
import { getModel, isParticleKind, particleDiameterPx, PARTICLE_KINDS, PROTEIN_DENSITY_DA_PER_A3, type ParticleKind } from './phantoms';
import { projectModel, splatPlan } from './project';
import { perturbedQuat, quatFromTo, quatToMatrix, randomQuat, type Quat, type Vec3 } from './rotation';

export type CarbonMode = 'none' | 'edge' | 'area';

export interface PreferredView {
  /** Fraction (0..1) of particles in the preferred view. */
  fraction: number;
  /** Spread of the tilt away from the view, degrees. */
  spreadDeg: number;
  /** The particle axis that points along the beam in this view (default z, the symmetry axis). */
  axis?: Vec3;
}

export interface ExplicitParticle {
  x: number;
  y: number;
  kind?: ParticleKind;
  quat?: Quat;
}

export interface SimConfig {
  /** Image width and height, pixels (default 4096 x 4096). */
  width: number;
  height: number;
  /** A/px (default 1.3). */
  pixelSize: number;
  /** Particle kind, or several mixed in equal numbers. */
  kind: ParticleKind | ParticleKind[];
  /** Number of particles placed (including ones cut by the border). Overrides density. */
  count?: number;
  /** Fraction of the image area covered by particle disks (default 0.25). */
  density: number;
  voltageKv: number;
  csMm: number;
  amplitudeContrast: number;
  /** Mean defocus is drawn uniformly from this range, micrometres, positive = underfocus. */
  defocusUm: [number, number];
  /** |defocusU - defocusV|, micrometres. */
  astigmatismUm: number;
  /** Astigmatism angle, degrees; drawn at random when not given. */
  astigmatismAngleDeg?: number;
  /** Electrons per square angstrom over the whole exposure. */
  dose: number;
  /** Envelope B-factor, A^2. */
  bFactor: number;
  /** Mean ice thickness, nm. */
  iceThicknessNm: number;
  /** Total change of ice thickness across the image, nm (a linear ramp). */
  iceGradientNm: number;
  /** Relative std of slow, patchy ice-thickness variation (0 = none). */
  iceVariation: number;
  /** Scale of the amorphous-ice structural noise (1 = default, 0 = none). */
  iceNoise: number;
  carbon: CarbonMode;
  /** Fraction of the image on carbon (default 0.3 for 'edge', 0.65 for 'area'). */
  carbonFraction?: number;
  carbonThicknessNm: number;
  /** Number of ice-contamination blobs. */
  contamination: number;
  clumping: number;
  overlap: number;
  /** Fraction of the image left without particles, in a few blobs. */
  emptyFraction: number;
  preferredView: PreferredView | null;
  negativeStain: boolean;
  /** Depth of the stain layer, angstrom (default 0.6 x the largest particle diameter). */
  stainDepthA?: number;
  detector: DetectorParams;
  seed: number;
  /** Also return the expected counts before shot noise. */
  keepNoiseFree?: boolean;
  /** Place exactly these particles instead of a random layout. */
  particles?: ExplicitParticle[];
}

export const DEFAULT_SIM_CONFIG: Readonly<SimConfig> = {
  width: 4096,
  height: 4096,
  pixelSize: 1.3,
  kind: 'betagal',
  density: 0.25,
  voltageKv: 300,
  csMm: 2.7,
  amplitudeContrast: 0.07,
  defocusUm: [1.5, 2.5],
  astigmatismUm: 0.05,
  dose: 40,
  bFactor: 80,
  iceThicknessNm: 40,
  iceGradientNm: 10,
  iceVariation: 0.05,
  iceNoise: 1,
  carbon: 'none',
  carbonThicknessNm: 12,
  contamination: 0,
  clumping: 0,
  overlap: 0,
  emptyFraction: 0,
  preferredView: null,
  negativeStain: false,
  detector: DEFAULT_DETECTOR,
  seed: 1,
};

/** The configuration actually used, including what was drawn at random. */
export interface SimParams extends SimConfig {
  kinds: ParticleKind[];
  /** Number of particles actually placed. */
  placed: number;
  /** Defocus along the astigmatism angle and perpendicular to it, angstrom. */
  defocusU: number;
  defocusV: number;
  /** Mean defocus, micrometres. */
  defocusMeanUm: number;
  astigmatismAngleDeg: number;
  carbonFractionUsed: number;
  /** Interaction constant used, rad / (V A). */
  sigma: number;
}

export interface SimParticle {
  /** Centre, pixels of this image. */
  x: number;
  y: number;
  kind: ParticleKind;
  /** Nominal radius, pixels. */
  radius: number;
  quat: Quat;
  onCarbon: boolean;
  /** Centre closer than its radius to an edge (or outside): only part of it is in the image. */
  cut: boolean;
  /** Centre inside an ice-contamination blob. */
  inContamination: boolean;
  clumped: boolean;
  overlapping: boolean;
}

export interface SimResult {
  /** Counts per pixel (float32). */
  image: Image2D;
  pixelSize: number;
  truth: SimParticle[];
  params: SimParams;
  /** Expected counts before shot noise, when keepNoiseFree was set. */
  noiseFree?: Image2D;
  carbon: CarbonGeometry | null;
  contamination: ContaminationBlob[];
  emptyRegions: EmptyRegion[];
  /** Milliseconds per stage. */
  timings: Record<string, number>;
}

// ---- Physical constants of the model (see docs/simulator.md) ----
/** Mean inner potential of protein in excess of vitreous ice, volts. Assumed: protein ~6.5 V,
 *  vitreous ice ~4.5 V; MIP scales roughly with mass density (1.35 vs 0.93 g/cm^3). */
export const PROTEIN_EXCESS_POTENTIAL_V = 2.0;
/** Mean inner potential of vitreous ice, volts (assumed, see above). */
export const ICE_POTENTIAL_V = 4.5;
/** Amorphous carbon in excess of the ice it replaces, volts (a-C MIP is ~8-10 V; assumed). */
export const CARBON_EXCESS_POTENTIAL_V = 5;
/** Heavy-metal stain (uranyl salts), volts: an assumed effective value giving strong contrast. */
export const STAIN_POTENTIAL_V = 10;
/** Inelastic mean free path of vitreous ice at 300 kV, nm (300-400 nm is the measured range). */
export const ICE_MFP_300KV_NM = 350;
/** Effective extinction length for thick contamination and carbon (elastic scattering out of
 *  the objective aperture plus inelastic), nm. Assumed. */
export const THICK_EXTINCTION_NM = 150;
/** Effective extinction length of dried stain, nm. Assumed. */
export const STAIN_EXTINCTION_NM = 60;
/** Phases beyond the weak-phase regime (thick carbon, contamination) are soft-capped here. */
export const PHASE_CAP_RAD = 0.6;
/** Real-space std of the amorphous-ice structural phase noise at 40 nm of ice, radians. */
export const ICE_NOISE_RAD = 0.025;

function beta2(kv: number): number {
  const gamma = 1 + kv / 510.99895;
  return 1 - 1 / (gamma * gamma);
}

/** Inelastic mean free path of ice, scaled from 300 kV with beta^2 (Bethe / Egerton). */
export function iceMeanFreePathNm(voltageKv: number): number {
  return (ICE_MFP_300KV_NM * beta2(voltageKv)) / beta2(300);
}

function check(cond: boolean, message: string): void {
  if (!cond) throw new ParameterError(`simulation: ${message}`);
}

function hashSeed(seed: number, stage: string): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < stage.length; i++) h = Math.imul(h ^ stage.charCodeAt(i), 16777619) >>> 0;
  return h;
}

export function resolveConfig(input: Partial<SimConfig>): SimConfig {
  const cfg: SimConfig = { ...DEFAULT_SIM_CONFIG, ...input, detector: { ...DEFAULT_DETECTOR, ...(input.detector ?? {}) } };
  const kinds = Array.isArray(cfg.kind) ? cfg.kind : [cfg.kind];
  check(kinds.length > 0, 'at least one particle kind is needed');
  for (const k of kinds) check(isParticleKind(k), `unknown particle kind "${k}"; expected one of ${PARTICLE_KINDS.join(', ')}`);
  check(Number.isInteger(cfg.width) && cfg.width >= 16 && cfg.width <= 16384, `width must be an integer 16..16384, got ${cfg.width}`);
  check(Number.isInteger(cfg.height) && cfg.height >= 16 && cfg.height <= 16384, `height must be an integer 16..16384, got ${cfg.height}`);
  check(cfg.pixelSize > 0.2 && cfg.pixelSize < 50, `pixel size must be 0.2..50 A/px, got ${cfg.pixelSize}`);
  check(cfg.count === undefined || (Number.isInteger(cfg.count) && cfg.count >= 0), `count must be a whole number >= 0, got ${cfg.count}`);
  check(cfg.density >= 0 && cfg.density <= 0.9, `density must be 0..0.9, got ${cfg.density}`);
  check(cfg.voltageKv >= 60 && cfg.voltageKv <= 1000, `voltage must be 60..1000 kV, got ${cfg.voltageKv}`);
  check(cfg.csMm >= 0 && cfg.csMm < 10, `Cs must be 0..10 mm, got ${cfg.csMm}`);
  check(cfg.amplitudeContrast >= 0 && cfg.amplitudeContrast < 1, `amplitude contrast must be in [0, 1), got ${cfg.amplitudeContrast}`);
  const [d0, d1] = cfg.defocusUm;
  check(d0 > 0 && d1 >= d0 && d1 < 20, `defocus range must be 0 < min <= max < 20 um (underfocus), got ${d0}..${d1}`);
  check(
    cfg.astigmatismUm >= 0 && cfg.astigmatismUm < d0 * 2,
    `astigmatism must be >= 0 and smaller than twice the defocus, got ${cfg.astigmatismUm}`,
  );
  check(cfg.dose > 0 && cfg.dose <= 1000, `dose must be 0..1000 e/A^2, got ${cfg.dose}`);
  check(cfg.bFactor >= 0 && cfg.bFactor <= 2000, `B-factor must be 0..2000 A^2, got ${cfg.bFactor}`);
  check(cfg.iceThicknessNm >= 0 && cfg.iceThicknessNm <= 500, `ice thickness must be 0..500 nm, got ${cfg.iceThicknessNm}`);
  check(
    Math.abs(cfg.iceGradientNm) <= 2 * Math.max(cfg.iceThicknessNm, 1),
    `ice gradient must be at most twice the thickness, got ${cfg.iceGradientNm}`,
  );
  check(cfg.iceVariation >= 0 && cfg.iceVariation <= 1, `ice variation must be 0..1, got ${cfg.iceVariation}`);
  check(cfg.iceNoise >= 0, `ice noise scale must be >= 0, got ${cfg.iceNoise}`);
  check(['none', 'edge', 'area'].includes(cfg.carbon), `carbon must be none, edge or area, got ${cfg.carbon}`);
  check(
    cfg.carbonFraction === undefined || (cfg.carbonFraction > 0 && cfg.carbonFraction < 1),
    `carbon fraction must be in (0, 1), got ${cfg.carbonFraction}`,
  );
  check(
    Number.isInteger(cfg.contamination) && cfg.contamination >= 0 && cfg.contamination <= 100,
    `contamination must be a count 0..100, got ${cfg.contamination}`,
  );
  for (const [name, v] of [
    ['clumping', cfg.clumping],
    ['overlap', cfg.overlap],
    ['emptyFraction', cfg.emptyFraction],
  ] as const)
    check(v >= 0 && v <= 1, `${name} must be 0..1, got ${v}`);
  if (cfg.preferredView) {
    check(
      cfg.preferredView.fraction >= 0 && cfg.preferredView.fraction <= 1,
      `preferred-view fraction must be 0..1, got ${cfg.preferredView.fraction}`,
    );
    check(cfg.preferredView.spreadDeg >= 0, `preferred-view spread must be >= 0 degrees, got ${cfg.preferredView.spreadDeg}`);
  }
  check(cfg.detector.dqe > 0 && cfg.detector.dqe <= 1, `detector DQE must be in (0, 1], got ${cfg.detector.dqe}`);
  check(Number.isFinite(cfg.seed), `seed must be a number, got ${cfg.seed}`);
  return { ...cfg, kind: kinds.length === 1 ? kinds[0] : kinds };
}

function softCap(phi: number): number {
  return PHASE_CAP_RAD * Math.tanh(phi / PHASE_CAP_RAD);
}

/** How many particles a density (area fraction of nominal disks) means for this image. */
export function countForDensity(kinds: ParticleKind[], density: number, width: number, height: number, pixelSize: number): number {
  let meanArea = 0;
  for (const k of kinds) meanArea += (Math.PI * radiusOf(k, pixelSize) ** 2) / kinds.length;
  return Math.round((density * width * height) / meanArea);
}

function drawOrientation(cfg: SimConfig, rng: Rng): Quat {
  const pv = cfg.preferredView;
  if (pv && rng.next() < pv.fraction) {
    // The view puts the chosen particle axis along the beam (+z); rotation maps particle -> lab.
    const centre = quatFromTo(pv.axis ?? [0, 0, 1], [0, 0, 1]);
    return perturbedQuat(centre, (pv.spreadDeg * Math.PI) / 180, rng);
  }
  return randomQuat(rng);
}

/** Simulate one micrograph. All randomness derives from cfg.seed. */
export function simulateMicrograph(input: Partial<SimConfig> = {}): SimResult {
  const timings: Record<string, number> = {};
  let t0 = performance.now();
  const lap = (name: string): void => {
    const t = performance.now();
    timings[name] = t - t0;
    t0 = t;
  };
  const cfg = resolveConfig(input);
  const kinds = Array.isArray(cfg.kind) ? cfg.kind : [cfg.kind];
  const { width: W, height: H, pixelSize: ps } = cfg;
  const canvas: Canvas = { cw: nextPow2(W), ch: nextPow2(H) };

  // Separate streams per stage: changing e.g. the dose does not move the particles.
  const rngOptics = createRng(hashSeed(cfg.seed, 'optics'));
  const rngLayout = createRng(hashSeed(cfg.seed, 'layout'));
  const rngArtifacts = createRng(hashSeed(cfg.seed, 'artifacts'));
  const rngIce = createRng(hashSeed(cfg.seed, 'ice'));
  const rngNoise = createRng(hashSeed(cfg.seed, 'noise'));

  const optics = drawOptics(cfg, rngOptics);
  const artifacts = placeArtifacts(cfg, rngArtifacts);
  const particles = placeParticles(cfg, kinds, artifacts, rngLayout);
  lap('layout');
  const { mass, plan } = projectMass(cfg, kinds, particles, canvas);
  lap('project');
  const maps = phaseMap(cfg, kinds, optics, artifacts, mass, canvas, rngArtifacts);
  lap('phase');
  const spec = rfft2d(maps.phase, canvas.cw, canvas.ch);
  lap('fft');
  filterSpectrum(spec, cfg, optics, canvas, plan.commonSigmaPx, rngIce);
  lap('ctf');
  const contrast = irfft2d(spec);
  lap('ifft');
  const trans = transmission(cfg, optics, artifacts, maps, canvas, rngArtifacts, rngIce);
  const expected = expectedCounts(cfg, trans, contrast, canvas);
  lap('intensity');
  const noiseFree = cfg.keepNoiseFree ? createImage(W, H, Float32Array.from(expected)) : undefined;
  applyShotNoise(expected, cfg.detector.dqe, rngNoise);
  lap('noise');

  const { carbon, contamination, emptyRegions } = artifacts;
  const params: SimParams = {
    ...cfg,
    kinds,
    placed: particles.length,
    defocusU: optics.defocusU,
    defocusV: optics.defocusV,
    defocusMeanUm: optics.defocusMeanUm,
    astigmatismAngleDeg: optics.astigmatismAngleDeg,
    carbonFractionUsed: carbon ? carbon.fraction : 0,
    sigma: optics.sigma,
  };
  const truth = truthOf(cfg, artifacts, particles);
  return { image: createImage(W, H, expected), pixelSize: ps, truth, params, noiseFree, carbon, contamination, emptyRegions, timings };
}

/** The periodic canvas the projection and the Fourier pass work on: the image padded to powers of two. */
interface Canvas {
  cw: number;
  ch: number;
}

/** The optics of one micrograph: what the config fixes and what is drawn for it. */
interface Optics {
  /** Interaction constant, rad / (V A). */
  sigma: number;
  /** Amplitude contrast used (stain raises it to at least 0.3). */
  amplitudeContrast: number;
  defocusMeanUm: number;
  astigmatismAngleDeg: number;
  /** Defocus along the astigmatism angle and perpendicular to it, angstrom. */
  defocusU: number;
  defocusV: number;
}

interface Artifacts {
  carbon: CarbonGeometry | null;
  contamination: ContaminationBlob[];
  emptyRegions: EmptyRegion[];
}

interface PlacedParticle {
  x: number;
  y: number;
  kind: ParticleKind;
  quat: Quat;
  clumped: boolean;
  overlapping: boolean;
}

/** The phase map and the canvas maps of what it was made of, which the transmission reuses. */
interface PhaseMaps {
  phase: Float32Array;
  carbonMask: Float32Array | null;
  /** Contamination thickness, nm. */
  contamNm: Float32Array;
  /** Stain thickness, angstrom (negative stain only). */
  stainA: Float32Array | null;
}

function radiusOf(kind: ParticleKind, ps: number): number {
  return particleDiameterPx(kind, ps) / 2;
}

/** Optics drawn for this micrograph. */
function drawOptics(cfg: SimConfig, rng: Rng): Optics {
  const sigma = interactionConstant(cfg.voltageKv * 1000);
  const amplitudeContrast = cfg.negativeStain ? Math.max(cfg.amplitudeContrast, 0.3) : cfg.amplitudeContrast;
  const defocusMeanUm = rng.uniform(cfg.defocusUm[0], cfg.defocusUm[1]);
  const astigmatismAngleDeg = cfg.astigmatismAngleDeg ?? rng.uniform(0, 180);
  const defocusU = (defocusMeanUm + cfg.astigmatismUm / 2) * 1e4;
  const defocusV = (defocusMeanUm - cfg.astigmatismUm / 2) * 1e4;
  return { sigma, amplitudeContrast, defocusMeanUm, astigmatismAngleDeg, defocusU, defocusV };
}

/** Artifacts geometry: carbon, contamination blobs and the regions left without particles. */
function placeArtifacts(cfg: SimConfig, rng: Rng): Artifacts {
  const { width: W, height: H } = cfg;
  let carbon: CarbonGeometry | null = null;
  if (cfg.carbon !== 'none') {
    const frac = cfg.carbonFraction ?? (cfg.carbon === 'edge' ? 0.3 : 0.65);
    carbon = makeCarbon(W, H, frac, rng);
  }
  const contamination = makeContamination(W, H, cfg.contamination, cfg.pixelSize, rng);
  const emptyRegions = makeEmptyRegions(W, H, cfg.emptyFraction, rng);
  return { carbon, contamination, emptyRegions };
}

/** Layout: the particles given, or a random layout of kinds drawn from the config. */
function placeParticles(cfg: SimConfig, kinds: ParticleKind[], artifacts: Artifacts, rng: Rng): PlacedParticle[] {
  const { width: W, height: H, pixelSize: ps } = cfg;
  if (cfg.particles) {
    return cfg.particles.map((p, i) => ({
      x: p.x,
      y: p.y,
      kind: p.kind ?? kinds[i % kinds.length],
      quat: p.quat ?? drawOrientation(cfg, rng),
      clumped: false,
      overlapping: false,
    }));
  }
  const { carbon, emptyRegions } = artifacts;
  const n = cfg.count ?? countForDensity(kinds, cfg.density, W, H, ps);
  const kindList: ParticleKind[] = [];
  for (let i = 0; i < n; i++) kindList.push(kinds.length === 1 ? kinds[0] : kinds[rng.int(kinds.length)]);
  // Fewer particles stick in the carbon-covered part (they prefer the air-water interface
  // of the hole in most preparations): keep half of those drawn there.
  const accept = carbon ? (x: number, y: number, r: Rng) => carbonDistance(carbon, x, y) <= 0 || r.next() < 0.5 : undefined;
  const placed = layoutParticles(
    {
      width: W,
      height: H,
      radii: kindList.map((k) => radiusOf(k, ps)),
      clumping: cfg.clumping,
      overlap: cfg.overlap,
      emptyRegions,
      accept,
      borderMargin: 0.5,
    },
    rng,
  );
  return placed.map((p) => ({
    x: p.x,
    y: p.y,
    kind: kindList[p.index],
    quat: drawOrientation(cfg, rng),
    clumped: p.clumped,
    overlapping: p.overlapping,
  }));
}

/** Projected mass (Da per pixel) on the periodic canvas, and the splat plan it was made with. */
function projectMass(cfg: SimConfig, kinds: ParticleKind[], particles: PlacedParticle[], { cw, ch }: Canvas) {
  const ps = cfg.pixelSize;
  const mass = new Float32Array(cw * ch);
  const target = { width: cw, height: ch, data: mass, wrap: true };
  const plan = splatPlan(kinds.map(getModel), ps);
  for (const p of particles) {
    projectModel(target, getModel(p.kind), quatToMatrix(p.quat), p.x, p.y, ps, 1, plan.splatSigmaPx.get(p.kind));
  }
  return { mass, plan };
}

/**
 * Phase map (radians) on the canvas: protein in excess of ice (or the stain around it), carbon
 * and contamination soft-capped, mean removed.
 */
function phaseMap(
  cfg: SimConfig,
  kinds: ParticleKind[],
  optics: Optics,
  artifacts: Artifacts,
  mass: Float32Array,
  { cw, ch }: Canvas,
  rngArtifacts: Rng,
): PhaseMaps {
  const ps = cfg.pixelSize;
  const { sigma } = optics;
  const { carbon, contamination } = artifacts;
  const phase = new Float32Array(cw * ch);
  const toThicknessA = 1 / (ps * ps * PROTEIN_DENSITY_DA_PER_A3); // Da/px -> A of protein
  const carbonMask = carbon ? rasterizeCarbon(carbon, cw, ch) : null;
  const contamNm = new Float32Array(cw * ch);
  rasterizeContamination(contamination, cw, ch, contamNm);
  let stainA: Float32Array | null = null;
  if (cfg.negativeStain) {
    const depth = cfg.stainDepthA ?? 0.6 * Math.max(...kinds.map((k) => particleDiameterPx(k, 1)));
    const grain = grainField(cw, ch, Math.max(1, 8 / ps), rngArtifacts);
    const ramp = iceRamp(
      cw,
      ch,
      1,
      cfg.iceThicknessNm > 0 ? cfg.iceGradientNm / cfg.iceThicknessNm : 0,
      rngArtifacts.uniform(0, 2 * Math.PI),
    );
    stainA = new Float32Array(cw * ch);
    for (let i = 0; i < cw * ch; i++) {
      // Stain fills the layer except where protein is; it is grainy (~1 nm crystallites).
      const t = Math.max(0, depth * ramp[i] - mass[i] * toThicknessA);
      stainA[i] = t * Math.max(0, 1 + 0.25 * grain[i]);
      phase[i] = sigma * STAIN_POTENTIAL_V * stainA[i];
    }
  } else {
    const kProt = sigma * PROTEIN_EXCESS_POTENTIAL_V * toThicknessA;
    for (let i = 0; i < cw * ch; i++) phase[i] = kProt * mass[i];
  }
  if (carbonMask) {
    const grain = grainField(cw, ch, Math.max(1, 3 / ps), rngArtifacts);
    const phiC = sigma * CARBON_EXCESS_POTENTIAL_V * cfg.carbonThicknessNm * 10;
    for (let i = 0; i < cw * ch; i++) if (carbonMask[i] > 0) phase[i] += softCap(phiC * carbonMask[i] * (1 + 0.15 * grain[i]));
  }
  if (contamination.length) {
    for (let i = 0; i < cw * ch; i++) if (contamNm[i] > 0) phase[i] += softCap(sigma * ICE_POTENTIAL_V * contamNm[i] * 10);
  }
  // The mean phase only scales the whole image; removing it keeps the linearisation honest.
  let meanPhase = 0;
  for (let i = 0; i < cw * ch; i++) meanPhase += phase[i];
  meanPhase /= cw * ch;
  for (let i = 0; i < cw * ch; i++) phase[i] -= meanPhase;
  return { phase, carbonMask, contamNm, stainA };
}

/**
 * The Fourier pass, in place on the phase spectrum: amorphous-ice structural noise added, then
 * times the CTF and the detector MTF. `commonSigmaPx` is the atoms' shared Gaussian blur.
 */
function filterSpectrum(spec: HalfSpectrum, cfg: SimConfig, optics: Optics, { cw, ch }: Canvas, commonSigmaPx: number, rngIce: Rng): void {
  const ps = cfg.pixelSize;
  const ctf = makeCtf({
    voltageKv: cfg.voltageKv,
    csMm: cfg.csMm,
    amplitudeContrast: optics.amplitudeContrast,
    defocusU: optics.defocusU,
    defocusV: optics.defocusV,
    astigmatismAngleDeg: optics.astigmatismAngleDeg,
    // The atoms' shared Gaussian blur exp(-2 pi^2 sigma^2 s^2) rides on the B envelope
    // exp(-B s^2 / 4): it adds 8 pi^2 sigma^2 (sigma in A) to B.
    bFactor: cfg.bFactor + 8 * Math.PI ** 2 * (commonSigmaPx * ps) ** 2,
  });
  const iceStd = cfg.negativeStain ? 0 : ICE_NOISE_RAD * cfg.iceNoise * Math.sqrt(cfg.iceThicknessNm / 40);
  const iceAmp = iceStd > 0 ? iceSpectrumScale(cw, ch, ps, iceStd) : 0;
  const data = spec.data;
  const cols = spec.cols;
  // The MTF is separable except for its mild radial factor; tabulate what can be tabulated.
  const sincX = new Float64Array(cols);
  for (let kx = 0; kx < cols; kx++) sincX[kx] = detectorMtf(kx / cw, 0, Infinity);
  const iceLut = iceAmp > 0 ? radialTable((s) => iceAmp * iceShape(s), (0.5 * Math.SQRT2) / ps) : null;
  const w0 = cfg.detector.mtfW0;
  const w0f = Number.isFinite(w0) ? 1 / (0.25 * w0 * w0) : 0;
  for (let ky = 0; ky < ch; ky++) {
    const fy = signedIndex(ky, ch) / ch;
    const sy = fy / ps;
    const sincY = detectorMtf(0, fy, Infinity);
    const row = 2 * cols * ky;
    for (let kx = 0; kx < cols; kx++) {
      const fx = kx / cw;
      const sx = fx / ps;
      const g = (ctf(sx, sy) * sincX[kx] * sincY) / (1 + (fx * fx + fy * fy) * w0f);
      let re = data[row + 2 * kx];
      let im = data[row + 2 * kx + 1];
      if (iceLut && (kx | ky) !== 0) {
        // Random-phase synthesis: fixed amplitude, uniformly random phase per frequency. The
        // field is still Gaussian in real space (a sum of many independent waves) and this
        // costs one table lookup instead of two Box-Muller normals.
        const a = iceLut.at(Math.sqrt(sx * sx + sy * sy));
        const j = rngIce.int(PHASE_TABLE_SIZE);
        re += a * COS_TABLE[j];
        im += a * SIN_TABLE[j];
      }
      data[row + 2 * kx] = re * g;
      data[row + 2 * kx + 1] = im * g;
    }
  }
}

/**
 * Slowly varying transmission (image pixels, 1 = none lost): the ice thickness ramp and
 * texture, stain, carbon and contamination, one pass per effect present. These vary on scales
 * where the CTF is ~ -A, so they act in real space.
 */
function transmission(
  cfg: SimConfig,
  optics: Optics,
  artifacts: Artifacts,
  maps: PhaseMaps,
  { cw }: Canvas,
  rngArtifacts: Rng,
  rngIce: Rng,
): Float32Array {
  const { width: W, height: H, pixelSize: ps } = cfg;
  const { contamination } = artifacts;
  const { carbonMask, contamNm, stainA } = maps;
  const mfp = iceMeanFreePathNm(cfg.voltageKv);
  const iceT = cfg.negativeStain ? null : iceRamp(W, H, cfg.iceThicknessNm, cfg.iceGradientNm, rngArtifacts.uniform(0, 2 * Math.PI));
  if (iceT && cfg.iceVariation > 0) {
    const patches = fractalField(W, H, Math.max(W, H) / 2, 128, rngIce);
    for (let i = 0; i < W * H; i++) iceT[i] *= 1 + cfg.iceVariation * patches[i];
  }
  const crystal = contamination.some((b) => b.crystalline) ? grainField(W, H, Math.max(4, 40 / ps), rngArtifacts) : null;
  const crystalMask = new Uint8Array(contamination.length ? W * H : 0);
  if (crystal) {
    for (const b of contamination) {
      if (!b.crystalline) continue;
      const r = b.radius * 1.6;
      for (let y = Math.max(0, Math.floor(b.cy - r)); y < Math.min(H, b.cy + r); y++)
        for (let x = Math.max(0, Math.floor(b.cx - r)); x < Math.min(W, b.cx + r); x++) crystalMask[y * W + x] = 1;
    }
  }
  let stainMean = 0;
  if (stainA) {
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) stainMean += stainA[y * cw + x];
    stainMean /= W * H;
  }
  const trans = new Float32Array(W * H).fill(1);
  if (iceT) {
    // Ice thicker than average scatters more (inelastic loss) and, through the amplitude
    // contrast term (CTF ~ -A at these scales), adds phase contrast of the same sign.
    const A = optics.amplitudeContrast;
    const iceMean = cfg.iceThicknessNm;
    const icePhasePerNm = optics.sigma * ICE_POTENTIAL_V * 10;
    for (let i = 0; i < W * H; i++) {
      const dt = iceT[i] - iceMean;
      trans[i] = Math.exp(-dt / mfp) * (1 - 2 * A * icePhasePerNm * dt);
    }
  }
  if (stainA) {
    const inv = 1 / (STAIN_EXTINCTION_NM * 10);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) trans[y * W + x] *= Math.exp(-(stainA[y * cw + x] - stainMean) * inv);
  }
  if (carbonMask) {
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const m = carbonMask[y * cw + x];
        if (m > 0) trans[y * W + x] *= Math.exp((-cfg.carbonThicknessNm * m) / THICK_EXTINCTION_NM);
      }
  }
  if (contamination.length) {
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        const tc = contamNm[y * cw + x];
        if (tc <= 0) continue;
        let ext = tc / THICK_EXTINCTION_NM;
        // Crystalline ice Bragg-scatters strongly: darker, mottled by bend contours.
        if (crystal && crystalMask[i]) ext *= 1.5 + 0.8 * Math.abs(crystal[i]);
        trans[i] *= Math.exp(-ext);
      }
  }
  return trans;
}

/** Expected counts per pixel before shot noise: I0 times the transmission times (1 + 2 c). */
function expectedCounts(cfg: SimConfig, trans: Float32Array, contrast: Float32Array, { cw }: Canvas): Float32Array {
  const { width: W, height: H, pixelSize: ps } = cfg;
  const expected = new Float32Array(W * H);
  const i0 = cfg.dose * ps * ps;
  for (let y = 0; y < H; y++) {
    const row = y * W;
    const crow = y * cw;
    for (let x = 0; x < W; x++) {
      const v = i0 * trans[row + x] * (1 + 2 * contrast[crow + x]);
      expected[row + x] = v > 0 ? v : 0;
    }
  }
  return expected;
}

/** What each particle is to an evaluation: cut by the border, on carbon, in contamination. */
function truthOf(cfg: SimConfig, artifacts: Artifacts, particles: PlacedParticle[]): SimParticle[] {
  const { width: W, height: H } = cfg;
  const { carbon, contamination } = artifacts;
  return particles.map((p) => {
    const r = radiusOf(p.kind, cfg.pixelSize);
    return {
      x: p.x,
      y: p.y,
      kind: p.kind,
      radius: r,
      quat: p.quat,
      onCarbon: carbon ? carbonDistance(carbon, p.x, p.y) > 0 : false,
      cut: !insideEdgeMargin(p.x, p.y, W, H, r),
      inContamination: contamination.some((b) => insideBlob(b, p.x, p.y)),
      clumped: p.clumped,
      overlapping: p.overlapping,
    };
  });
}

// Amorphous-ice structural noise spectrum: a 1/f-like part (water density fluctuations over
// nanometres) plus a ring at 1/3.7 A^-1, where vitreous ice diffracts (the "ice ring";
// Dubochet et al., Q. Rev. Biophys. 21:129, 1988).
const ICE_RING = 1 / 3.7;
function iceShape(s: number): number {
  const lowPass = 1 / (1 + s / 0.02);
  const ring = 0.6 * Math.exp(-((s - ICE_RING) ** 2) / (2 * 0.015 ** 2));
  return lowPass + ring;
}

const PHASE_TABLE_SIZE = 4096;
const COS_TABLE = new Float64Array(PHASE_TABLE_SIZE);
const SIN_TABLE = new Float64Array(PHASE_TABLE_SIZE);
for (let j = 0; j < PHASE_TABLE_SIZE; j++) {
  // sqrt(2): a unit-variance complex normal has E|z|^2 = 2, as the scale below assumes.
  COS_TABLE[j] = Math.SQRT2 * Math.cos((2 * Math.PI * j) / PHASE_TABLE_SIZE);
  SIN_TABLE[j] = Math.SQRT2 * Math.sin((2 * Math.PI * j) / PHASE_TABLE_SIZE);
}

/** A radial function tabulated on [0, maxS] for fast lookup (nearest of 4096 samples). */
function radialTable(f: (s: number) => number, maxS: number): { at: (s: number) => number } {
  const n = 4096;
  const table = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) table[i] = f((i / n) * maxS);
  const scale = n / maxS;
  return { at: (s: number) => table[Math.min(n, Math.round(s * scale))] };
}

/** Fourier amplitude giving real-space std `std` for the ice shape on this canvas. */
function iceSpectrumScale(cw: number, ch: number, ps: number, std: number): number {
  // For an inverse FFT normalised by 1/N, var = (1/N^2) sum_k |X_k|^2 over the full plane;
  // each half-plane sample stands for itself and its mirror (two real normals each).
  let sum = 0;
  for (let ky = 0; ky < ch; ky++) {
    const sy = signedIndex(ky, ch) / ch / ps;
    for (let kx = 0; kx < cw / 2 + 1; kx++) {
      if ((kx | ky) === 0) continue;
      const w = kx === 0 || kx === cw / 2 ? 1 : 2;
      sum += w * 2 * iceShape(Math.hypot(kx / cw / ps, sy)) ** 2;
    }
  }
  const n = cw * ch;
  return (std * n) / Math.sqrt(sum);
}

export interface TruthOptions {
  /** Keep particles lying on carbon (default true). */
  includeOnCarbon?: boolean;
}

/**
 * Ground truth for evaluating pickers: every particle whose centre lies inside the image at
 * least its nominal radius from each edge (not cut) and not inside a contamination blob.
 * Overlapping and clumped particles count; particles on carbon count unless excluded.
 */
export function truthPicks(result: SimResult, opts: TruthOptions = {}): Particle[] {
  const includeOnCarbon = opts.includeOnCarbon ?? true;
  return result.truth.filter((p) => !p.cut && !p.inContamination && (includeOnCarbon || !p.onCarbon)).map((p) => ({ x: p.x, y: p.y }));
}
