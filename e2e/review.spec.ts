// Reviewing picks as in crYOLO's box manager or cryoSPARC's Inspect Picks (issue 13, defects
// 11 and 12 and "what a review tool needs"): what a circle means and which one is selected,
// selecting without changing, a low-pass display and a key to hide picks, one score cutoff for
// every micrograph, reviewed / excluded flags with a "next unreviewed" key, and the viewer
// drawing exactly the picks the engine keeps, edge ones included.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { strFromU8, unzipSync } from 'fflate';
import { readCoordinates } from '../src/core/coords';
import { shyClassifierWeights } from '../test/helpers/shy-classifier';
import {
  allPicked,
  blurFields,
  currentMicrograph,
  currentPicks,
  dragWorld,
  emptySpot,
  engineReady,
  micrographs,
  openPickedDemos,
  screenPoint,
  stagePoint,
  storeValue,
} from './helpers';

type Rgba = [number, number, number, number];

/** Pixels of one of the stage's layers (0: image, 1: picks) around a world point, as [dx, dy, rgba] in screen pixels. */
async function layerPixels(page: Page, layer: number, x: number, y: number, radius: number): Promise<Array<[number, number, Rgba]>> {
  return page.evaluate(
    ({ layer, x, y, radius }) => {
      type Stage = {
        getLayers(): { getCanvas(): { _canvas: HTMLCanvasElement } }[];
        getAbsoluteTransform(): { point(p: { x: number; y: number }): { x: number; y: number } };
      };
      const Konva = (window as unknown as { Konva: { stages: Stage[] } }).Konva;
      const stage = Konva.stages[Konva.stages.length - 1];
      const canvas = stage.getLayers()[layer].getCanvas()._canvas;
      const ratio = canvas.width / canvas.clientWidth;
      const c = stage.getAbsoluteTransform().point({ x, y });
      const side = 2 * radius + 1;
      const data = canvas
        .getContext('2d')!
        .getImageData(
          Math.round((c.x - radius) * ratio),
          Math.round((c.y - radius) * ratio),
          Math.round(side * ratio),
          Math.round(side * ratio),
        ).data;
      const w = Math.round(side * ratio);
      const out: Array<[number, number, [number, number, number, number]]> = [];
      for (let j = 0; j < w; j++)
        for (let i = 0; i < w; i++) {
          const o = (j * w + i) * 4;
          out.push([i / ratio - radius, j / ratio - radius, [data[o], data[o + 1], data[o + 2], data[o + 3]]]);
        }
      return out;
    },
    { layer, x, y, radius },
  );
}

const isWhite = ([r, g, b, a]: Rgba): boolean => a > 150 && r > 200 && g > 200 && b > 200;
const isRed = ([r, g, b, a]: Rgba): boolean => a > 150 && r > 180 && g < 120 && b < 120;

async function openDemo(page: Page): Promise<void> {
  await openPickedDemos(page);
  await page.getByTestId('mic-row').first().click();
  await page.getByTestId('zoom-fit').click();
}

/** The auto pick nearest the micrograph's centre. */
async function centralPick(page: Page) {
  const mic = await currentMicrograph(page);
  const picks = (await currentPicks(page)).filter((p) => p.state === 'auto');
  return picks.reduce((a, b) =>
    Math.hypot(b.x - mic.width / 2, b.y - mic.height / 2) < Math.hypot(a.x - mic.width / 2, a.y - mic.height / 2) ? b : a,
  );
}

test('a click selects a pick (ringed in white) without changing it; rejected picks show at fit zoom; Delete twice is one undo step; a moved pick keeps its score', async ({
  page,
}) => {
  await openDemo(page);
  await expect(page.getByTestId('legend')).toContainText('faint = less confident, still exported');
  await expect(page.getByTestId('legend')).toContainText('rejected (not exported)');
  const pick = await centralPick(page);
  const mic = await currentMicrograph(page);
  const at = await screenPoint(page, pick.x, pick.y);
  await page.mouse.click(at.x, at.y);
  await expect.poll(() => storeValue(page, 'selectedPickId')).toBe(pick.id);
  expect((await currentPicks(page)).find((p) => p.id === pick.id)!.state).toBe('auto');
  expect(await storeValue<unknown[]>(page, 'past')).toHaveLength(0);
  // The white ring lies just outside the circle (radius r on screen, ring at r + 6 px).
  const scale = (await screenPoint(page, pick.x + 100, pick.y)).x - at.x;
  const r = (mic.diameter / 2) * (scale / 100);
  const ring = await layerPixels(page, 1, pick.x, pick.y, Math.ceil(r + 9));
  expect(ring.filter(([dx, dy, c]) => Math.abs(Math.hypot(dx, dy) - (r + 6)) < 1.5 && isWhite(c)).length).toBeGreaterThan(10);

  // A second click on the selected pick rejects it; at fit zoom it shows as a red cross.
  await page.mouse.click(at.x, at.y);
  await expect.poll(async () => (await currentPicks(page)).find((p) => p.id === pick.id)!.state).toBe('rejected');
  // The score panel's count is what the export writes: the rejected pick is out of it.
  const total = (await micrographs(page)).filter((m) => m.status === 'picked').reduce((n, m) => n + m.kept, 0);
  await expect(page.getByTestId('score-summary')).toContainText(` · ${total - 1} picks kept on `);
  await page.keyboard.press('Escape');
  const cross = await layerPixels(page, 1, pick.x, pick.y, Math.ceil(r));
  expect(cross.filter(([dx, dy, c]) => Math.hypot(dx, dy) < r * 0.6 && isRed(c)).length).toBeGreaterThan(8);
  // Delete on a rejected pick changes nothing and records no step.
  await page.mouse.click(at.x, at.y);
  const steps = (await storeValue<unknown[]>(page, 'past')).length;
  await page.keyboard.press('Delete');
  await page.keyboard.press('Delete');
  expect(await storeValue<unknown[]>(page, 'past')).toHaveLength(steps);
  expect((await currentPicks(page)).find((p) => p.id === pick.id)!.state).toBe('rejected');

  // Drag an auto pick: it lands as a manual pick with the score it had, which the export writes.
  const mover = (await currentPicks(page)).filter(
    (p) => p.state === 'auto' && p.x > mic.diameter * 2 && p.x < mic.width - mic.diameter * 2 && p.id !== pick.id,
  )[0];
  const score = await page.evaluate(async (id) => {
    const url = '/src/app/store.ts';
    const store = await import(/* @vite-ignore */ url);
    const m = store.currentMic(store.useWorkbench.getState());
    return m.auto[Number(id.slice(1))].score as number;
  }, mover.id);
  await dragWorld(page, mover, { x: mover.x + mic.diameter * 0.6, y: mover.y });
  await expect.poll(async () => (await currentPicks(page)).filter((p) => p.state === 'manual').length).toBe(1);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-current-star').click()]);
  const exported = [...readCoordinates(readFileSync(await download.path(), 'utf8'), download.suggestedFilename()).values()].flat();
  const moved = exported.find(
    (p) => Math.abs(p.x - (mover.x + mic.diameter * 0.6)) < mic.diameter / 10 && Math.abs(p.y - mover.y) < mic.diameter / 10,
  )!;
  expect(moved.score).toBeCloseTo(score, 4);
});

test('the middle button pans, also from a pick, and never moves or adds one', async ({ page }) => {
  await openDemo(page);
  const pick = await centralPick(page);
  const picks = await currentPicks(page);
  const from = await screenPoint(page, pick.x, pick.y);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down({ button: 'middle' });
  await page.mouse.move(from.x + 60, from.y + 40, { steps: 5 });
  await page.mouse.up({ button: 'middle' });
  // The view moved with the pointer; the pick under it did not.
  const to = await screenPoint(page, pick.x, pick.y);
  expect(to.x - from.x).toBeCloseTo(60, 0);
  expect(to.y - from.y).toBeCloseTo(40, 0);
  // A middle click (here on the pick) selects, rejects and adds nothing.
  await page.mouse.click(to.x + 3, to.y + 3, { button: 'middle' });
  expect(await currentPicks(page)).toEqual(picks);
  expect(await storeValue<unknown[]>(page, 'past')).toHaveLength(0);
  expect(await storeValue(page, 'selectedPickId')).toBeUndefined();
});

test('a pick added at high zoom lands on the pixel clicked (pixel centres are whole coordinates, as in the exported files)', async ({
  page,
}) => {
  await openDemo(page);
  const mic = await currentMicrograph(page);
  const spot = emptySpot(await currentPicks(page), mic);
  const [x, y] = [Math.round(spot.x), Math.round(spot.y)];
  // Zoom in on the spot until one micrograph pixel is several screen pixels wide.
  for (let i = 0; i < 24; i++) {
    const at = await screenPoint(page, x, y);
    await page.mouse.move(at.x, at.y);
    await page.mouse.wheel(0, -100);
  }
  // The centre of image pixel (x, y): the image layer draws pixel i over [i, i+1).
  const a = await stagePoint(page, x + 0.5, y + 0.5);
  expect((await stagePoint(page, x + 1.5, y + 0.5)).x - a.x).toBeGreaterThan(4);
  await page.mouse.click(a.x, a.y);
  await expect.poll(async () => (await currentPicks(page)).filter((p) => p.state === 'manual').length).toBe(1);
  const added = (await currentPicks(page)).find((p) => p.state === 'manual')!;
  // Half a pixel off (the pixel's corner) before the viewer put pick coordinates on pixel centres.
  expect(Math.abs(added.x - x)).toBeLessThan(0.25);
  expect(Math.abs(added.y - y)).toBeLessThan(0.25);
});

test('a low-pass display filter, and v hides and shows the picks', async ({ page }) => {
  await openDemo(page);
  const mic = await currentMicrograph(page);
  // Roughness: how much neighbouring pixels differ, against the spread of the grey values (the
  // display contrast is stretched again after filtering, so the spread alone stays).
  const roughness = async (): Promise<number> => {
    const px = await layerPixels(page, 0, mic.width / 2, mic.height / 2, 60);
    const g = px.map(([, , c]) => c[0]);
    const m = g.reduce((a, b) => a + b, 0) / g.length;
    const sd = Math.sqrt(g.reduce((a, b) => a + (b - m) ** 2, 0) / g.length);
    let d = 0;
    for (let i = 1; i < g.length; i++) d += Math.abs(g[i] - g[i - 1]);
    return d / (g.length - 1) / sd;
  };
  // The Gaussian sigma (px) of the display on screen.
  const displaySigma = () =>
    page.evaluate(async () => {
      const storeUrl = '/src/app/store.ts';
      const store = await import(/* @vite-ignore */ storeUrl);
      const s = store.useWorkbench.getState();
      return s.images[s.currentKey]?.displayLowpass as number | undefined;
    });
  // On at start (20 Å, RELION's manual-picking default), so particles show in noisy micrographs.
  const slider = page.getByTestId('lowpass');
  await expect(page.getByTestId('lowpass-value')).toHaveText('20 Å');
  const sigma20 = Number(await page.getByTestId('lowpass-value').getAttribute('data-sigma'));
  expect(sigma20).toBeGreaterThan(1);
  await expect.poll(displaySigma, { timeout: 30_000 }).toBeCloseTo(sigma20, 2);
  // A micrograph not yet on screen comes through the filter at once: the store never holds an
  // unfiltered display of it (a flash of raw noise before the filtered image).
  const currentKey = await storeValue<string>(page, 'currentKey');
  const all = await micrographs(page);
  const nextName = all.find((m) => m.key !== currentKey)!.name;
  await page.evaluate(async (name) => {
    const storeUrl = '/src/app/store.ts';
    const store = await import(/* @vite-ignore */ storeUrl);
    const seen: number[] = [];
    (window as unknown as { displaysSeen: number[] }).displaysSeen = seen;
    store.useWorkbench.subscribe(
      (s: { micrographs: { key: string; name: string }[]; images: Record<string, { display?: unknown; displayLowpass?: number }> }) => {
        const key = s.micrographs.find((m) => m.name === name)?.key;
        const img = key ? s.images[key] : undefined;
        if (img?.display && seen[seen.length - 1] !== img.displayLowpass) seen.push(img.displayLowpass ?? 0);
      },
    );
  }, nextName);
  await page.getByTestId('mic-row').filter({ hasText: nextName }).click();
  const seen = () => page.evaluate(() => (window as unknown as { displaysSeen: number[] }).displaysSeen);
  await expect.poll(async () => (await seen()).length, { timeout: 30_000 }).toBeGreaterThan(0);
  expect((await seen()).every((sigma) => sigma > 1)).toBe(true);
  await page
    .getByTestId('mic-row')
    .filter({ hasText: all.find((m) => m.key === currentKey)!.name })
    .click();
  await expect.poll(displaySigma, { timeout: 30_000 }).toBeCloseTo(sigma20, 2);
  // The canvas draws the store's display a moment later: read once two readings agree.
  const settled = async (): Promise<number> => {
    let last = await roughness();
    for (let i = 0; i < 20; i++) {
      await page.waitForTimeout(150);
      const now = await roughness();
      if (Math.abs(now - last) < 1e-9) return now;
      last = now;
    }
    return last;
  };
  const atStart = await settled();
  await slider.fill('0');
  await expect(page.getByTestId('lowpass-value')).toHaveText('off');
  await expect.poll(displaySigma, { timeout: 30_000 }).toBe(0);
  await expect.poll(roughness, { timeout: 30_000 }).toBeGreaterThan(atStart * 1.3);
  const sharp = await settled();
  await slider.fill('30');
  await expect(page.getByTestId('lowpass-value')).toHaveText('30 Å');
  await expect.poll(roughness, { timeout: 30_000 }).toBeLessThan(sharp * 0.6);
  // The picks are untouched by the filter.
  const drawn = Number(await page.getByTestId('viewer').getAttribute('data-drawn-picks'));
  expect(drawn).toBe((await currentPicks(page)).length);
  await slider.fill('0');
  await expect(page.getByTestId('lowpass-value')).toHaveText('off');
  await expect.poll(roughness, { timeout: 30_000 }).toBeGreaterThan(sharp * 0.9);

  await blurFields(page);
  await page.keyboard.press('v');
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-drawn-picks', '0');
  await expect(page.getByTestId('legend')).toContainText('picks hidden');
  await expect(page.getByTestId('show-picks')).not.toBeChecked();
  // Hidden picks are not edited by a click.
  const spot = emptySpot(await currentPicks(page), mic);
  const at = await screenPoint(page, spot.x, spot.y);
  await page.mouse.click(at.x, at.y);
  expect((await currentPicks(page)).filter((p) => p.state === 'manual')).toHaveLength(0);
  await page.keyboard.press('v');
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-drawn-picks', String(drawn));
});

test('one score cutoff for every micrograph: drag the line on the histogram; one Ctrl+Z restores it', async ({ page }) => {
  await openDemo(page);
  const hist = page.getByTestId('score-histogram');
  await expect(hist).toBeVisible();
  const before = await micrographs(page);
  expect(new Set(before.map((m) => m.params.cutoff)).size).toBe(1);
  const box = (await hist.boundingBox())!;
  // Drag the line from where it is (p(particle) = 1 - cutoff) to p = 0.6: cutoff 0.4.
  const xAt = (p: number) => box.x + 4 + p * (box.width - 8);
  await page.mouse.move(xAt(1 - (before[0].params.cutoff as number)), box.y + box.height / 2);
  await page.mouse.down();
  for (const p of [0.2, 0.35, 0.5, 0.6]) await page.mouse.move(xAt(p), box.y + box.height / 2, { steps: 2 });
  // The line follows the pointer; the micrographs take its cutoff once it rests or is let go.
  await expect(hist).toHaveAttribute('data-line', '0.600');
  await page.mouse.up();
  await expect.poll(async () => (await micrographs(page)).map((m) => m.params.cutoff)).toEqual(before.map(() => 0.4));
  // Every micrograph is picked again with it; fewer picks are kept.
  await expect.poll(async () => (await micrographs(page)).every((m) => m.pickedWith?.cutoff === 0.4), { timeout: 60_000 }).toBe(true);
  const after = await micrographs(page);
  expect(after.reduce((n, m) => n + m.kept, 0)).toBeLessThan(before.reduce((n, m) => n + m.kept, 0));
  await expect(hist).toHaveAttribute('data-line', '0.600');
  // The axis is in the cutoff's unit, p(background) from 1 at the left: the line is labelled with the box's number.
  await expect(page.getByTestId('score-cutoff-value')).toHaveText('0.4');
  await expect(page.getByTestId('score-axis-label')).toHaveText('p(background) 1');
  await expect(page.getByTestId('score-summary')).toContainText(`${after.reduce((n, m) => n + m.kept, 0)} picks kept on 3 micrographs`);
  // The whole drag is one undo step.
  await blurFields(page);
  await page.keyboard.press('Control+z');
  await expect
    .poll(async () => (await micrographs(page)).map((m) => m.pickedWith?.cutoff), { timeout: 60_000 })
    .toEqual(before.map((m) => m.params.cutoff));
  expect((await micrographs(page)).map((m) => m.kept)).toEqual(before.map((m) => m.kept));
  // Typed, the same.
  await page.getByTestId('score-cutoff').fill('0.5');
  await page.getByTestId('score-cutoff').press('Enter');
  await expect.poll(async () => (await micrographs(page)).every((m) => m.pickedWith?.cutoff === 0.5), { timeout: 60_000 }).toBe(true);
  await expect(page.getByTestId('calibration-note')).toHaveCount(0);
  await expect(page.getByTestId('unlike-training')).toHaveCount(0);
  // One micrograph's own cutoff does not become the box's: it shows what it sets for all, and says they differ.
  await page.getByTestId('param-cutoff-number').fill('0.2');
  await page.getByTestId('param-cutoff-number').press('Enter');
  await expect(page.getByTestId('score-cutoff-label')).toContainText('mixed: 2 of 3 at 0.5');
  await expect(page.getByTestId('score-cutoff')).toHaveValue('0.5');
  await expect(hist).toHaveAttribute('data-line', '0.500');
  // The axis label sits under the bars, not over the tallest one.
  const label = (await page.getByTestId('score-axis-label').boundingBox())!;
  const frame = (await hist.locator('rect.frame').boundingBox())!;
  expect(label.y).toBeGreaterThanOrEqual(frame.y + frame.height - 1);
  // Cutoff 0 keeps no candidate, on every micrograph: calibration never overrides the cutoff.
  await page.getByTestId('score-cutoff').fill('0');
  await page.getByTestId('score-cutoff').press('Enter');
  await expect.poll(async () => (await micrographs(page)).every((m) => m.pickedWith?.cutoff === 0), { timeout: 60_000 }).toBe(true);
  expect((await micrographs(page)).map((m) => m.kept)).toEqual(before.map(() => 0));
});

test('the score cutoff leaves micrographs marked reviewed as they were checked', async ({ page }) => {
  await openDemo(page);
  const before = await micrographs(page);
  const rows = page.getByTestId('mic-row');
  await blurFields(page);
  await page.keyboard.press('r');
  await expect(rows.nth(0)).toHaveAttribute('data-reviewed', 'true');
  await expect(page.getByTestId('score-cutoff-label')).toContainText('not on the 1 marked reviewed');
  await expect(page.getByTestId('score-summary')).toContainText('the 1 reviewed among them, whose picks the line does not move');
  await page.getByTestId('score-cutoff').fill('0.5');
  await page.getByTestId('score-cutoff').press('Enter');
  await expect
    .poll(async () => (await micrographs(page)).slice(1).every((m) => m.pickedWith?.cutoff === 0.5), { timeout: 60_000 })
    .toBe(true);
  const after = await micrographs(page);
  // The reviewed one keeps its cutoff and its picks; the others are picked again with the new one.
  expect(after[0].params.cutoff).toBe(before[0].params.cutoff);
  expect(after[0].kept).toBe(before[0].kept);
  expect(after.slice(1).reduce((n, m) => n + m.kept, 0)).toBeLessThan(before.slice(1).reduce((n, m) => n + m.kept, 0));
  // Once every micrograph is reviewed, there is nothing for the cutoff to set, and the panel says so.
  for (const i of [1, 2]) await rows.nth(i).getByTestId('mic-reviewed').click();
  await expect(page.getByTestId('score-cutoff-label')).toContainText('every micrograph is marked reviewed');
  await expect(page.getByTestId('score-cutoff')).toBeDisabled();
});

/** The shipped models served under /shy-models/, with the classifier's particle output pushed
 * down (p(particle) x ~e^-12): a classifier that gives particles low scores, as the shipped one
 * does on real micrographs unlike its training data. */
async function serveShyModels(page: Page): Promise<string> {
  const weights = shyClassifierWeights('public/models');
  // The context's route also answers the engine's workers.
  const prefix = '/shy-models/';
  await page.context().route(
    (url) => url.pathname.startsWith(prefix),
    (route) => {
      const rest = new URL(route.request().url()).pathname.slice(prefix.length);
      const body = rest === 'classifier/weights.bin' ? weights : readFileSync(`public/models/${rest}`);
      return route.fulfill({ body, contentType: rest.endsWith('.json') ? 'application/json' : 'application/octet-stream' });
    },
  );
  return prefix;
}

test("a classifier whose scores run low: calibration raises them to the detector's count, and the cutoff still moves the count one way", async ({
  page,
}) => {
  const models = await serveShyModels(page);
  await page.goto(`/?backend=wasm&models=${models}`);
  await engineReady(page);
  await allPicked(page);
  const before = await micrographs(page);
  // The typical micrograph: the default cutoff keeps what the detector counts, and says why.
  const typical = before.find((m) => m.name === 'betagal_0001.mrc')!;
  expect(typical.kept).toBeGreaterThan(20);
  await page.getByTestId('mic-row').filter({ hasText: typical.name }).click();
  await expect(page.getByTestId('calibration-note')).toContainText(
    `On this micrograph the classifier's scores ran low: the default cutoff 0.9 kept 0 of the ~${typical.kept} particles the detector estimates, so p(particle) was raised`,
  );
  // Kept none of the detector's estimate: the networks disagree, said with what to do about it.
  await expect(page.getByTestId('unlike-training')).toContainText(`the classifier kept 0 of the detector's ~${typical.kept}`);
  await expect(page.getByTestId('unlike-training')).toContainText('Learn from reviewed');
  const calibrated = before.filter((m) => m.kept > 0);
  await expect(page.getByTestId('score-summary')).toContainText(
    `on ${calibrated.length} micrograph${calibrated.length === 1 ? '' : 's'} calibration raised the classifier's scores`,
  );
  // The histogram shows the raised scores: its line parts exactly the picks kept.
  const kept = before.reduce((n, m) => n + m.kept, 0);
  await expect(page.getByTestId('score-summary')).toContainText(`${kept} of `);
  await expect(page.getByTestId('score-summary')).toContainText(
    `candidates above the line (all ${before.length} micrographs picked) · ${kept} picks kept`,
  );
  // A looser cutoff never keeps fewer, a stricter one never more.
  const counts: number[][] = [];
  for (const cutoff of ['0.5', '0.9', '0.97', '1']) {
    await page.getByTestId('score-cutoff').fill(cutoff);
    await page.getByTestId('score-cutoff').press('Enter');
    await expect
      .poll(async () => (await micrographs(page)).every((m) => m.pickedWith?.cutoff === Number(cutoff)), { timeout: 60_000 })
      .toBe(true);
    counts.push((await micrographs(page)).map((m) => m.kept));
  }
  expect(counts[1]).toEqual(before.map((m) => m.kept));
  for (let i = 1; i < counts.length; i++) counts[i].forEach((n, j) => expect(n).toBeGreaterThanOrEqual(counts[i - 1][j]));
  expect(counts[3].reduce((a, b) => a + b, 0)).toBeGreaterThan(counts[0].reduce((a, b) => a + b, 0));
});

test('reviewed and excluded flags, a key for the next unreviewed micrograph, and the export leaves excluded ones out', async ({ page }) => {
  await openDemo(page);
  const rows = page.getByTestId('mic-row');
  await blurFields(page);
  await page.keyboard.press('r');
  await expect(rows.nth(0)).toHaveAttribute('data-reviewed', 'true');
  await page.keyboard.press('u');
  await expect(rows.nth(1)).toHaveClass(/current/);
  await rows.nth(1).getByTestId('mic-reviewed').click();
  await expect(rows.nth(1)).toHaveAttribute('data-reviewed', 'true');
  await page.keyboard.press('u');
  await expect(rows.nth(2)).toHaveClass(/current/);
  await page.keyboard.press('e');
  await expect(rows.nth(2)).toHaveAttribute('data-excluded', 'true');
  await page.keyboard.press('r');
  await expect(page.getByTestId('review-progress')).toHaveText('3 of 3 reviewed');
  await page.keyboard.press('u');
  await expect(page.getByTestId('notice').filter({ hasText: 'Every micrograph is marked reviewed' })).toHaveCount(1);
  // Flags are undo steps too.
  await page.keyboard.press('Control+z');
  await expect(rows.nth(2)).toHaveAttribute('data-reviewed', 'false');
  await page.keyboard.press('Control+Shift+z');
  await expect(rows.nth(2)).toHaveAttribute('data-reviewed', 'true');

  const excludedName = (await rows.nth(2).getAttribute('data-name'))!.replace(/\.[^.]+$/, '');
  await expect(page.getByTestId('export-excluded')).toContainText('1 micrograph is excluded');
  const [zip] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-all-zip').click()]);
  const names = Object.keys(unzipSync(readFileSync(await zip.path())));
  expect(names.filter((n) => n.startsWith('relion/') && n.endsWith('_autopick.star') && n !== 'relion/autopick.star')).toHaveLength(2);
  expect(names.some((n) => n.includes(excludedName))).toBe(false);
  expect(strFromU8(unzipSync(readFileSync(await zip.path()))['relion/autopick.star'])).not.toContain(excludedName);
  // The score panel counts what the zip holds: the excluded micrograph's picks are not in its count.
  const files = unzipSync(readFileSync(await zip.path()));
  const inZip = names
    .filter((n) => n.startsWith('relion/') && n !== 'relion/autopick.star')
    .reduce((n, f) => n + [...readCoordinates(strFromU8(files[f]), f).values()].flat().length, 0);
  await expect(page.getByTestId('score-summary')).toContainText(` · ${inZip} picks kept on 2 micrographs`);

  // After a reload the flags are back.
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', 'saved');
  await page.reload();
  await engineReady(page);
  await expect(rows.nth(2)).toHaveAttribute('data-excluded', 'true');
  await expect(page.getByTestId('review-progress')).toHaveText('3 of 3 reviewed');
  // Every thumbnail comes back once the stored files are read; until then a row says so.
  await expect(rows.locator('.thumb img')).toHaveCount(3);
  await expect(page.getByTestId('thumb-opening')).toHaveCount(0);

  // A flag set just before the page goes, well inside autosave's quiet time, is there after the reload too.
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', 'saved');
  await rows.nth(0).click();
  await blurFields(page);
  await page.keyboard.press('r');
  await expect(rows.nth(0)).toHaveAttribute('data-reviewed', 'false');
  await page.reload();
  await engineReady(page);
  await expect(rows.nth(0)).toHaveAttribute('data-reviewed', 'false');
  await expect(page.getByTestId('review-progress')).toHaveText('2 of 3 reviewed');
  // Written to IndexedDB too once the page is back (the journal it came from is then dropped).
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', 'saved');
  expect(await page.evaluate(() => localStorage.getItem('drpnet-workbench-journal'))).toBeNull();
});

test('the list sorted by picks, which n follows; the sort stays put while picks are rejected, and is kept', async ({ page }) => {
  await openDemo(page);
  const rows = page.getByTestId('mic-row');
  const counts = async () => await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-picks'))));
  const names = async () => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
  const added = await names();
  await page.getByTestId('list-order').selectOption('fewest');
  const fewest = await counts();
  expect(fewest).toEqual([...fewest].sort((a, b) => a - b));
  const sorted = await names();
  await page.getByTestId('list-order').selectOption('most');
  expect(await counts()).toEqual([...fewest].reverse());
  await page.getByTestId('list-order').selectOption('fewest');
  expect(await names()).toEqual(sorted);
  // n goes down the list as shown.
  await rows.nth(0).click();
  await blurFields(page);
  await page.keyboard.press('n');
  await expect(rows.nth(1)).toHaveClass(/current/);
  // Rejecting a pick there does not move its row; sorting again does.
  const before = await names();
  const pick = await centralPick(page);
  const at = await screenPoint(page, pick.x, pick.y);
  await page.mouse.click(at.x, at.y);
  await page.mouse.click(at.x, at.y);
  await expect.poll(async () => (await counts())[1]).toBe(fewest[1] - 1);
  expect(await names()).toEqual(before);
  await page.getByTestId('list-sort-again').click();
  await expect.poll(counts).toEqual([...(await counts())].sort((a, b) => a - b));
  // Kept with the session; "as added" brings the order back.
  const kept = await names();
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', 'saved');
  await page.reload();
  await engineReady(page);
  await expect(page.getByTestId('list-order')).toHaveValue('fewest');
  expect(await names()).toEqual(kept);
  await page.getByTestId('list-order').selectOption('added');
  expect(await names()).toEqual(added);
});

test('the viewer draws exactly the picks the engine keeps, those near the edge included', async ({ page }) => {
  await openDemo(page);
  const fresh = async () =>
    page.evaluate(async () => {
      const [storeUrl, bridgeUrl] = ['/src/app/store.ts', '/src/app/engine-bridge.ts'];
      const store = await import(/* @vite-ignore */ storeUrl);
      const bridge = await import(/* @vite-ignore */ bridgeUrl);
      const mic = store.currentMic(store.useWorkbench.getState());
      for (let attempt = 0; attempt < 10; attempt++) {
        const r = await bridge.engine.pick(mic.key, mic.params);
        if (r) return (r.picks as { x: number; y: number; kept: boolean }[]).filter((p) => p.kept).map((p) => ({ x: p.x, y: p.y }));
      }
      throw new Error('every pick was superseded');
    });
  const mic = await currentMicrograph(page);
  for (const threshold of ['4', '2']) {
    await page.getByTestId('param-threshold-number').fill(threshold);
    await page.getByTestId('param-threshold-number').press('Enter');
    await expect.poll(async () => (await micrographs(page))[0].pickedWith?.threshold).toBe(Number(threshold));
    const engineKept = await fresh();
    const shown = await currentPicks(page);
    expect(shown.map((p) => `${p.x},${p.y}`).sort()).toEqual(engineKept.map((p) => `${p.x},${p.y}`).sort());
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-drawn-picks', String(engineKept.length));
    // The pick nearest an edge is among those drawn: the viewer adds no margin of its own.
    const edge = Math.min(...engineKept.map((p) => Math.min(p.x, p.y, mic.width - p.x, mic.height - p.y)));
    console.log(
      `threshold ${threshold}: ${engineKept.length} picks kept by the engine, the nearest ${edge.toFixed(1)} px from an edge, all drawn`,
    );
  }
});
