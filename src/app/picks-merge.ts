// How the user's edits combine with the engine's automatic picks, so that a re-pick never
// erases work. THE RULE:
//  - Auto picks come from the engine and are replaced wholesale by every repick/detect.
//  - The user's decisions live apart, in PickEdits, as positions in ORIGINAL pixels:
//      manual   : picks the user added (or moved) — always shown, state 'manual';
//      rejected : positions of auto picks the user rejected;
//      accepted : positions of auto picks the user explicitly accepted;
//      moved    : positions of auto picks the user dragged elsewhere — hidden there, neither
//                 exported nor a negative for retraining (the particle is still there; the
//                 pick was only off-centre), as a move is in crYOLO's box manager.
//  - Two positions within matchRadius (a particle radius) are one particle: particles do not
//    overlap, so a re-pick that moves a peak by less than that found the same one.
//  - After any repick, each rejected or accepted mark goes to its nearest shown auto pick within
//    matchRadius; a pick given marks takes the nearest one ('rejected' or 'accepted'), else it
//    is 'auto'. One mark never decides two picks (min distance can be under a radius).
//  - An auto pick within matchRadius of a manual pick is hidden: the user's pick wins.
//  - An accepted mark that decides no pick and has no manual pick within matchRadius (the
//    re-pick, say by a retrained detector, lost that particle) is shown on its own,
//    'accepted', with the score it was accepted at: what the user confirmed stays picked.
//  - Moving an auto pick = a moved mark where it was + a manual pick where it was dropped,
//    which keeps the auto pick's score (exports write it).
//  - Deleting a manual pick removes it; deleting an auto pick rejects it. Rejecting what is
//    rejected already, or accepting what is accepted, changes nothing (returns the same edits).
//  - Candidates the classifier/screens dropped (kept = false) are not shown.
import type { Particle, PickState } from '../core/coords/types';
import { matchingRadius } from '../core/metrics';
import type { ScoredPick } from '../../workers/engine-api';

export interface Mark {
  x: number;
  y: number;
}

/** An accepted auto pick, with its score when accepted (absent in older sessions), shown with it should a re-pick lose it. */
export interface AcceptedMark extends Mark {
  score?: number;
  pParticle?: number;
}

export interface ManualPick extends Mark {
  id: string;
  /** The score of the automatic pick it was moved from (or of an imported pick): kept in exports. */
  score?: number;
  pParticle?: number;
  /**
   * The coordinate file it was loaded from, until the user moves it: another picker's pick, not
   * one the user placed, so it labels training only on a micrograph marked reviewed, and
   * deleting it rejects the place (a negative), as deleting an automatic pick does.
   */
  from?: string;
}

export interface PickEdits {
  manual: ManualPick[];
  rejected: Mark[];
  accepted: AcceptedMark[];
  /** Auto picks the user moved away (absent in sessions saved before moves kept them apart from rejections). */
  moved?: Mark[];
  /** The automatic picks are set aside: picks loaded from a file replace them (neither shown, exported nor negatives). */
  autoSetAside?: string;
}

export interface DisplayPick {
  /** 'a<index>' for auto picks (index into the auto list), the manual id otherwise. */
  id: string;
  x: number;
  y: number;
  score?: number;
  pParticle?: number;
  state: PickState;
  /** A manual pick loaded from a coordinate file (ManualPick.from) and not moved since. */
  imported?: boolean;
}

export const EMPTY_EDITS: PickEdits = Object.freeze({ manual: [], rejected: [], accepted: [] }) as PickEdits;

/** Two positions this close (original pixels) are the same particle: the radius scores match within too. */
export function matchRadius(diameter: number): number {
  return Math.max(2, matchingRadius(diameter));
}

function dist2(a: Mark, b: Mark): number {
  const dx = a.x - b.x;
  const dy = a.y - b.y;
  return dx * dx + dy * dy;
}

/** Squared distance to the nearest mark, Infinity when there is none. */
function nearest2(p: Mark, marks: readonly Mark[]): number {
  let best = Infinity;
  for (const m of marks) {
    const d = dist2(p, m);
    if (d < best) best = d;
  }
  return best;
}

export function mergePicks(auto: readonly ScoredPick[], edits: PickEdits, diameter: number): DisplayPick[] {
  const r2 = matchRadius(diameter) ** 2;
  const manual: DisplayPick[] = edits.manual.map((m) => ({
    id: m.id,
    x: m.x,
    y: m.y,
    score: m.score,
    pParticle: m.pParticle,
    state: 'manual',
    ...(m.from !== undefined ? { imported: true } : {}),
  }));
  if (edits.autoSetAside) return manual;
  const shown: number[] = [];
  auto.forEach((p, i) => {
    if (p.kept && nearest2(p, edits.manual) > r2 && nearest2(p, edits.moved ?? []) > r2) shown.push(i);
  });
  // Each mark goes to its nearest shown pick; each pick keeps the nearest mark it was given.
  const decided = new Map<number, { d2: number; state: PickState; mark: number }>();
  const give = (m: Mark, state: PickState, mark: number): void => {
    let best = -1;
    let bestD2 = r2;
    for (const i of shown) {
      const d = dist2(m, auto[i]);
      if (d <= bestD2) [best, bestD2] = [i, d];
    }
    if (best < 0) return;
    const had = decided.get(best);
    if (!had || bestD2 < had.d2) decided.set(best, { d2: bestD2, state, mark });
  };
  edits.rejected.forEach((m) => give(m, 'rejected', -1));
  edits.accepted.forEach((m, k) => give(m, 'accepted', k));
  const out: DisplayPick[] = shown.map((i) => {
    const p = auto[i];
    return { id: `a${i}`, x: p.x, y: p.y, score: p.score, pParticle: p.pParticle, state: decided.get(i)?.state ?? 'auto' };
  });
  const used = new Set([...decided.values()].map((d) => d.mark));
  edits.accepted.forEach((m, k) => {
    if (!used.has(k) && nearest2(m, edits.manual) > r2)
      out.push({ id: `k${k}`, x: m.x, y: m.y, score: m.score, pParticle: m.pParticle, state: 'accepted' });
  });
  return [...out, ...manual];
}

const isManual = (p: DisplayPick): boolean => p.state === 'manual';

function without(marks: readonly Mark[], p: Mark, r2: number): Mark[] {
  return marks.filter((m) => dist2(m, p) > r2);
}

/** Reject (auto) or delete (manual) one pick; deleting an imported one also rejects its place. */
export function rejectPick(edits: PickEdits, pick: DisplayPick, diameter: number): PickEdits {
  if (isManual(pick)) {
    const m = edits.manual.find((x) => x.id === pick.id);
    if (!m) return edits;
    const manual = edits.manual.filter((x) => x !== m);
    return m.from === undefined ? { ...edits, manual } : { ...edits, manual, rejected: [...edits.rejected, { x: m.x, y: m.y }] };
  }
  if (pick.state === 'rejected') return edits;
  const r2 = matchRadius(diameter) ** 2;
  return {
    ...edits,
    accepted: without(edits.accepted, pick, r2),
    rejected: [...without(edits.rejected, pick, r2), { x: pick.x, y: pick.y }],
  };
}

/** Accept one auto pick (clears a rejection). Manual picks are accepted already. */
export function acceptPick(edits: PickEdits, pick: DisplayPick, diameter: number): PickEdits {
  if (isManual(pick) || pick.state === 'accepted') return edits;
  const r2 = matchRadius(diameter) ** 2;
  return {
    ...edits,
    rejected: without(edits.rejected, pick, r2),
    accepted: [...without(edits.accepted, pick, r2), acceptedMark(pick)],
  };
}

function acceptedMark(pick: DisplayPick): AcceptedMark {
  const m: AcceptedMark = { x: pick.x, y: pick.y };
  if (pick.score !== undefined) m.score = pick.score;
  if (pick.pParticle !== undefined) m.pParticle = pick.pParticle;
  return m;
}

/** Click on a pick: a rejected pick becomes accepted, anything else auto becomes rejected. */
export function togglePick(edits: PickEdits, pick: DisplayPick, diameter: number): PickEdits {
  if (isManual(pick)) return edits;
  return pick.state === 'rejected' ? acceptPick(edits, pick, diameter) : rejectPick(edits, pick, diameter);
}

/**
 * Picks loaded from `file` replace the automatic ones, which are set aside (undo, or
 * bringAutoBack, returns them). A loaded pick within a radius of a manual pick already there is
 * that particle and is not added again (the same file dropped twice, or its .box beside its .star).
 */
export function replaceAuto(edits: PickEdits, picks: readonly ManualPick[], file: string, diameter: number): PickEdits {
  const r2 = matchRadius(diameter) ** 2;
  const fresh = picks.filter((p) => nearest2(p, edits.manual) > r2).map((p) => ({ ...p, from: file }));
  return { ...edits, manual: [...edits.manual, ...fresh], autoSetAside: file };
}

export function bringAutoBack(edits: PickEdits): PickEdits {
  const { autoSetAside: _, ...rest } = edits;
  return rest;
}

/** The user's decisions on a micrograph, one each: a moved automatic pick is one (its moved mark goes with the pick it became). */
export function countEdits(edits: PickEdits): number {
  return edits.manual.length + edits.rejected.length + edits.accepted.length;
}

export function addManual(edits: PickEdits, x: number, y: number, id: string, score?: number, pParticle?: number): PickEdits {
  const pick: ManualPick = { id, x, y };
  if (score !== undefined) pick.score = score;
  if (pParticle !== undefined) pick.pParticle = pParticle;
  return { ...edits, manual: [...edits.manual, pick] };
}

/**
 * Moves a pick: a manual one moves; an auto one is hidden where it was (a moved mark, which
 * also clears a rejection or acceptance there) and added where it lands, with its score.
 */
export function movePick(edits: PickEdits, pick: DisplayPick, x: number, y: number, newId: string, diameter: number): PickEdits {
  // A moved imported pick is the user's own placement from then on.
  const placed = ({ from: _, ...m }: ManualPick, at: Mark): ManualPick => ({ ...m, x: at.x, y: at.y });
  if (isManual(pick)) return { ...edits, manual: edits.manual.map((m) => (m.id === pick.id ? placed(m, { x, y }) : m)) };
  const r2 = matchRadius(diameter) ** 2;
  const moved: PickEdits = {
    ...edits,
    rejected: without(edits.rejected, pick, r2),
    accepted: without(edits.accepted, pick, r2),
    moved: [...without(edits.moved ?? [], pick, r2), { x: pick.x, y: pick.y }],
  };
  return addManual(moved, x, y, newId, pick.score, pick.pParticle);
}

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export function inBox(p: Mark, b: Box): boolean {
  const [xa, xb] = b.x0 <= b.x1 ? [b.x0, b.x1] : [b.x1, b.x0];
  const [ya, yb] = b.y0 <= b.y1 ? [b.y0, b.y1] : [b.y1, b.y0];
  return p.x >= xa && p.x <= xb && p.y >= ya && p.y <= yb;
}

/** Reject every auto pick and delete every manual pick inside the box. */
export function rejectInBox(edits: PickEdits, picks: readonly DisplayPick[], box: Box, diameter: number): PickEdits {
  let e = edits;
  for (const p of picks) if (p.state !== 'rejected' && inBox(p, box)) e = rejectPick(e, p, diameter);
  return e;
}

/** Accept every auto pick that is not rejected. */
export function acceptAll(edits: PickEdits, picks: readonly DisplayPick[], diameter: number): PickEdits {
  let e = edits;
  for (const p of picks) if (p.state === 'auto') e = acceptPick(e, p, diameter);
  return e;
}

/** The picks that count (export, metrics): everything but rejected ones. */
export function keptPicks(picks: readonly DisplayPick[]): Particle[] {
  return picks
    .filter((p) => p.state !== 'rejected')
    .map((p) => (p.score !== undefined ? { x: p.x, y: p.y, score: p.score } : { x: p.x, y: p.y }));
}

/** The pick under a point (within its circle), nearest first; undefined when none. */
export function pickAt(picks: readonly DisplayPick[], x: number, y: number, diameter: number): DisplayPick | undefined {
  const r2 = (diameter / 2) ** 2;
  let best: DisplayPick | undefined;
  let bestD = Infinity;
  for (const p of picks) {
    const d = dist2(p, { x, y });
    if (d <= r2 && d < bestD) {
      best = p;
      bestD = d;
    }
  }
  return best;
}
