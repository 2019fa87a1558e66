// Two tabs on one session (issue 13, defect 4): the second tab finds the session in use and
// only shows it; "Edit here instead" moves the session to it, the first tab becomes the one
// that only shows, and no pick made in either tab is lost, a reload included.
import { expect, test, type Page } from '@playwright/test';
import { allPicked, currentMicrograph, currentPicks, emptySpot, engineReady, screenPoint } from './helpers';

const manualCount = async (page: Page) => (await currentPicks(page)).filter((p) => p.state === 'manual').length;

/** Adds a manual pick at an empty spot of the current micrograph (a click on empty space; a tab that only shows refuses it). */
async function addPick(page: Page): Promise<void> {
  await page.getByTestId('zoom-fit').click();
  const spot = emptySpot(await currentPicks(page), await currentMicrograph(page));
  const at = await screenPoint(page, spot.x, spot.y);
  await page.mouse.click(at.x, at.y);
}

test('a second tab only shows the session until it takes it over; no pick of either tab is lost', async ({ context }) => {
  const one = await context.newPage();
  await one.goto('/?backend=wasm');
  await engineReady(one);
  await allPicked(one);
  await one.getByTestId('mic-row').first().click();
  await addPick(one);
  await expect.poll(() => manualCount(one)).toBe(1);
  await expect(one.getByTestId('save-state')).toHaveAttribute('data-state', 'saved');

  // The second tab: read-only, with tab one's pick; an edit there is refused, not lost later.
  const two = await context.newPage();
  await two.goto('/?backend=wasm');
  await expect(two.getByTestId('read-only-banner')).toContainText('open for editing in another tab');
  await expect(one.getByTestId('read-only-banner')).toHaveCount(0);
  await two.getByTestId('mic-row').first().click();
  await expect.poll(() => manualCount(two)).toBe(1);
  await expect(two.getByTestId('session-diameter')).toBeDisabled();
  await addPick(two);
  await expect(two.getByTestId('notice').filter({ hasText: 'only shows it' })).toHaveCount(1);
  expect(await manualCount(two)).toBe(1);

  // Tab one edits again: tab two follows what it saves, and keeps the order it sorted its own list in.
  await two.getByTestId('list-order').selectOption('name');
  await addPick(one);
  await expect.poll(() => manualCount(one)).toBe(2);
  await expect.poll(() => manualCount(two), { timeout: 20_000 }).toBe(2);
  await expect(two.getByTestId('list-order')).toHaveValue('name');

  // Tab two takes over: tab one saves and only shows from now on; tab two reloads and edits.
  await two.getByTestId('take-over').click();
  await expect(one.getByTestId('read-only-banner')).toContainText('taken over by another tab');
  await expect(two.getByTestId('read-only-banner')).toHaveCount(0, { timeout: 60_000 });
  await engineReady(two);
  await two.getByTestId('mic-row').first().click();
  await expect.poll(() => manualCount(two)).toBe(2);
  await addPick(two);
  await expect.poll(() => manualCount(two)).toBe(3);
  // Tab one follows, and cannot change anything now.
  await expect.poll(() => manualCount(one), { timeout: 20_000 }).toBe(3);
  await addPick(one);
  await expect(one.getByTestId('notice').filter({ hasText: 'taken over' })).toHaveCount(1);
  expect(await manualCount(one)).toBe(3);
  await expect(one.getByTestId('undo')).toBeDisabled();

  // A reload of the editing tab finds every pick of both tabs.
  await expect(two.getByTestId('save-state')).toHaveAttribute('data-state', 'saved');
  await two.reload();
  await engineReady(two);
  await expect(two.getByTestId('read-only-banner')).toHaveCount(0);
  await two.getByTestId('mic-row').first().click();
  await expect.poll(() => manualCount(two)).toBe(3);
  expect(await manualCount(one)).toBe(3);
});
