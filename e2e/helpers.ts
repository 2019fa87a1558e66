// Helpers for the end-to-end tests: read the workbench's state through the same modules the
// page uses (Vite serves them by URL), and turn world (original-pixel) coordinates into
// screen positions through the Konva stage's transform.
import { expect, type Page } from '@playwright/test';
import { PICK_OFFSET } from '../src/app/view-math';

export interface PagePick {
  id: string;
  x: number;
  y: number;
  state: string;
}

/** The current micrograph's displayed picks (state: auto / accepted / rejected / manual). */
export async function currentPicks(page: Page): Promise<PagePick[]> {
  return page.evaluate(async () => {
    // Module URLs in variables: Vite serves them to the page, TypeScript need not resolve them.
    const storeUrl = '/src/app/store.ts';
    const editingUrl = '/src/app/editing.ts';
    const store = await import(/* @vite-ignore */ storeUrl);
    const editing = await import(/* @vite-ignore */ editingUrl);
    const mic = store.currentMic(store.useWorkbench.getState());
    if (!mic) return [];
    return editing
      .displayPicksOf(mic)
      .map((p: { id: string; x: number; y: number; state: string }) => ({ id: p.id, x: p.x, y: p.y, state: p.state }));
  });
}

export async function currentMicrograph(
  page: Page,
): Promise<{ key: string; name: string; width: number; height: number; diameter: number }> {
  return page.evaluate(async () => {
    const storeUrl = '/src/app/store.ts';
    const store = await import(/* @vite-ignore */ storeUrl);
    const mic = store.currentMic(store.useWorkbench.getState())!;
    return { key: mic.key, name: mic.name, width: mic.info!.width, height: mic.info!.height, diameter: mic.params.diameter };
  });
}

/** Page coordinates of a point of the viewer's stage (world units: image pixel i covers [i, i+1)). */
export async function stagePoint(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  return page.evaluate(
    ({ x, y }) => {
      const Konva = (
        window as unknown as {
          Konva: {
            stages: {
              container(): HTMLElement;
              getAbsoluteTransform(): { point(p: { x: number; y: number }): { x: number; y: number } };
            }[];
          };
        }
      ).Konva;
      const stage = Konva.stages[Konva.stages.length - 1];
      const rect = stage.container().getBoundingClientRect();
      const p = stage.getAbsoluteTransform().point({ x, y });
      return { x: rect.left + p.x, y: rect.top + p.y };
    },
    { x, y },
  );
}

/** Page coordinates of a pick position (original micrograph pixels, pixel centres at whole numbers). */
export function screenPoint(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  return stagePoint(page, x + PICK_OFFSET, y + PICK_OFFSET);
}

export async function pickCount(page: Page): Promise<number> {
  return Number((await page.getByTestId('current-pick-count').textContent())?.match(/\d+/)?.[0] ?? NaN);
}

export async function rowStatuses(page: Page): Promise<string[]> {
  return page.getByTestId('mic-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-status') ?? ''));
}

/** The point of the micrograph farthest from every pick (on a grid, inside a border margin). */
export function emptySpot(
  picks: { x: number; y: number }[],
  mic: { width: number; height: number; diameter: number },
): { x: number; y: number; d: number } {
  let best = { x: 0, y: 0, d: -1 };
  for (let gy = mic.diameter; gy < mic.height - mic.diameter; gy += mic.diameter / 2) {
    for (let gx = mic.diameter; gx < mic.width - mic.diameter; gx += mic.diameter / 2) {
      const d = Math.min(Infinity, ...picks.map((p) => Math.hypot(p.x - gx, p.y - gy)));
      if (d > best.d) best = { x: gx, y: gy, d };
    }
  }
  return best;
}

/** Waits until the engine pool is up with the models loaded (a software GPU adapter is up, labelled slow). */
export async function engineReady(page: Page, backend = 'wasm'): Promise<void> {
  const indicator = page.getByTestId('backend-indicator');
  await expect(indicator).toHaveAttribute('data-backend', backend);
  await expect(indicator).toHaveClass(/\b(ok|slow)\b/);
}

export interface PageMicrograph {
  key: string;
  name: string;
  status: string;
  params: Record<string, number | boolean>;
  pickedWith?: Record<string, number | boolean>;
  /** The models (model-library ids) that made its automatic picks. */
  pickedBy?: { fcrn: string; classifier: string };
  candidates: number;
  kept: number;
  truth: number;
  reviewed: boolean;
  excluded: boolean;
  demo: boolean;
  /** It shows a live re-pick's preview, its exact pick still to come. */
  preview: boolean;
}

/** Every micrograph as the store holds it (parameters, what it was picked with, flags). */
export async function micrographs(page: Page): Promise<PageMicrograph[]> {
  return page.evaluate(async () => {
    const storeUrl = '/src/app/store.ts';
    const store = await import(/* @vite-ignore */ storeUrl);
    type M = {
      key: string;
      name: string;
      status: string;
      params: Record<string, number | boolean>;
      pickedWith?: Record<string, number | boolean>;
      pickedBy?: { fcrn: string; classifier: string };
      auto: { kept: boolean }[];
      truth?: unknown[];
      reviewed?: boolean;
      excluded?: boolean;
      demo?: boolean;
      preview?: boolean;
    };
    return (store.useWorkbench.getState().micrographs as M[]).map((m) => ({
      key: m.key,
      name: m.name,
      status: m.status,
      params: m.params,
      pickedWith: m.pickedWith,
      pickedBy: m.pickedBy,
      candidates: m.auto.length,
      kept: m.auto.filter((p) => p.kept).length,
      truth: m.truth?.length ?? 0,
      reviewed: !!m.reviewed,
      excluded: !!m.excluded,
      demo: !!m.demo,
      preview: !!m.preview,
    }));
  });
}

/** A value of the workbench state (session settings, read-only flag, undo steps). */
export async function storeValue<T>(page: Page, name: string): Promise<T> {
  return page.evaluate(async (name) => {
    const storeUrl = '/src/app/store.ts';
    const store = await import(/* @vite-ignore */ storeUrl);
    return store.useWorkbench.getState()[name];
  }, name);
}

/** Waits until every micrograph listed is picked. */
export async function allPicked(page: Page, timeout = 180_000): Promise<void> {
  await expect
    .poll(
      async () => {
        const s = await rowStatuses(page);
        return s.length > 0 && s.every((x) => x === 'picked');
      },
      { timeout },
    )
    .toBe(true);
}

/** Opens the workbench on the WASM backend and waits until every micrograph (the demos) is picked. */
export async function openPickedDemos(page: Page): Promise<void> {
  await page.goto('/?backend=wasm');
  await engineReady(page);
  await allPicked(page);
}

/** Opens the workbench on the WASM backend and starts a new, empty session (its confirmation accepted). */
export async function openEmptySession(page: Page): Promise<void> {
  await page.goto('/?backend=wasm');
  await engineReady(page);
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('new-session').click();
}

/** Moves focus off any field (so shortcuts reach the workbench). */
export async function blurFields(page: Page): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
}

/** Drags with the mouse from one world point (original pixels) to another on the viewer. */
export async function dragWorld(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  const a = await screenPoint(page, from.x, from.y);
  const b = await screenPoint(page, to.x, to.y);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(b.x, b.y, { steps: 5 });
  await page.mouse.up();
}
