// Helpers for the end-to-end tests: read the workbench's state through the same modules the
// page uses (Vite serves them by URL), and turn world (original-pixel) coordinates into
// screen positions through the Konva stage's transform.
import { expect, type Page } from '@playwright/test';

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
    return editing.displayPicksOf(mic).map((p: { id: string; x: number; y: number; state: string }) => ({ id: p.id, x: p.x, y: p.y, state: p.state }));
  });
}

export async function currentMicrograph(page: Page): Promise<{ key: string; name: string; width: number; height: number; diameter: number }> {
  return page.evaluate(async () => {
    const storeUrl = '/src/app/store.ts';
    const store = await import(/* @vite-ignore */ storeUrl);
    const mic = store.currentMic(store.useWorkbench.getState())!;
    return { key: mic.key, name: mic.name, width: mic.info!.width, height: mic.info!.height, diameter: mic.params.diameter };
  });
}

/** Page coordinates of a world point (original micrograph pixels) on the viewer's stage. */
export async function screenPoint(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  return page.evaluate(
    ({ x, y }) => {
      const Konva = (window as unknown as { Konva: { stages: { container(): HTMLElement; getAbsoluteTransform(): { point(p: { x: number; y: number }): { x: number; y: number } } }[] } }).Konva;
      const stage = Konva.stages[Konva.stages.length - 1];
      const rect = stage.container().getBoundingClientRect();
      const p = stage.getAbsoluteTransform().point({ x, y });
      return { x: rect.left + p.x, y: rect.top + p.y };
    },
    { x, y },
  );
}

export async function pickCount(page: Page): Promise<number> {
  return Number((await page.getByTestId('current-pick-count').textContent())?.match(/\d+/)?.[0] ?? NaN);
}

export async function rowStatuses(page: Page): Promise<string[]> {
  return page.getByTestId('mic-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-status') ?? ''));
}

/** The point of the micrograph farthest from every pick (on a grid, inside a border margin). */
export function emptySpot(picks: { x: number; y: number }[], mic: { width: number; height: number; diameter: number }): { x: number; y: number; d: number } {
  let best = { x: 0, y: 0, d: -1 };
  for (let gy = mic.diameter; gy < mic.height - mic.diameter; gy += mic.diameter / 2) {
    for (let gx = mic.diameter; gx < mic.width - mic.diameter; gx += mic.diameter / 2) {
      const d = Math.min(Infinity, ...picks.map((p) => Math.hypot(p.x - gx, p.y - gy)));
      if (d > best.d) best = { x: gx, y: gy, d };
    }
  }
  return best;
}

/** Waits until the engine pool is up with the models loaded. */
export async function engineReady(page: Page, backend = 'wasm'): Promise<void> {
  const indicator = page.getByTestId('backend-indicator');
  await expect(indicator).toHaveAttribute('data-backend', backend);
  await expect(indicator).toHaveClass(/\bok\b/);
}
