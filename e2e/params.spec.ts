// Numbers are typed as a person types them: a field commits on Enter or when it loses focus,
// clamps what is out of range, and every parameter change is undone with Ctrl+Z (issue 13,
// defects 1, 3 and 7).
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { readCoordinates } from '../src/core/coords';
import { blurFields, currentPicks, micrographs, openPickedDemos, storeValue } from './helpers';
import { simulatedMicrograph, type SimulatedFile } from './fixtures';

let small: SimulatedFile;

test.beforeAll(() => {
  small = simulatedMicrograph('small_512', 512, 5, 4);
});

const mine = async (page: import('@playwright/test').Page) => (await micrographs(page)).find((m) => m.name === small.name)!;

test('the diameter is typed, committed on Enter or blur, clamped, and undone with Ctrl+Z', async ({ page }) => {
  await openPickedDemos(page);
  await page.getByTestId('file-input').setInputFiles(small.path);
  await expect.poll(async () => (await mine(page))?.pickedWith?.diameter).toBe(140);

  // Select all and type 102: nothing happens on the way (no 1, no 10), Enter commits.
  const field = page.getByTestId('session-diameter');
  await field.click();
  await page.keyboard.press('Control+a');
  await page.keyboard.type('102', { delay: 80 });
  await expect(field).toHaveValue('102');
  expect(await storeValue(page, 'diameter')).toEqual({ value: 140, unit: 'px' });
  expect((await mine(page)).params.diameter).toBe(140);
  expect((await mine(page)).status).toBe('picked');
  await page.keyboard.press('Enter');
  await expect.poll(() => storeValue(page, 'diameter')).toEqual({ value: 102, unit: 'px' });
  await expect.poll(async () => (await mine(page)).pickedWith?.diameter).toBe(102);

  // Backspace once leaves "10" in the field; nothing runs until the field loses focus.
  await field.click();
  await page.keyboard.press('End');
  await page.keyboard.press('Backspace');
  await expect(field).toHaveValue('10');
  expect((await mine(page)).params.diameter).toBe(102);
  // Out of range is clamped, not refused: 5 becomes the smallest diameter, on blur.
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('5');
  await blurFields(page);
  await expect(field).toHaveValue('10');
  await expect.poll(async () => (await mine(page)).params.diameter).toBe(10);
  await expect(page.getByTestId('notice').filter({ hasText: 'Particle diameter (px): 5 is outside 10 to 800; 10 is used.' })).toHaveCount(
    1,
  );
  await field.fill('5000');
  await field.press('Enter');
  await expect(field).toHaveValue('800');
  await expect.poll(async () => (await mine(page)).params.diameter).toBe(800);

  // Ctrl+Z goes back step by step, and the micrograph is picked again each time.
  await blurFields(page);
  await page.keyboard.press('Control+z');
  await expect(field).toHaveValue('10');
  await page.keyboard.press('Control+z');
  await expect(field).toHaveValue('102');
  await expect.poll(async () => (await mine(page)).pickedWith?.diameter).toBe(102);
  await page.keyboard.press('Control+Shift+z');
  await expect(field).toHaveValue('10');
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await mine(page)).pickedWith?.diameter).toBe(102);

  // A micrograph's own parameter: the same, and one Ctrl+Z takes it back.
  await page.getByTestId('mic-row').filter({ hasText: small.name }).click();
  const threshold = page.getByTestId('param-threshold-number');
  const before = (await mine(page)).params.threshold;
  await threshold.fill('12');
  expect((await mine(page)).params.threshold).toBe(before); // typed, not committed
  await threshold.press('Enter');
  await expect.poll(async () => (await mine(page)).pickedWith?.threshold).toBe(12);
  // Ctrl+Z with the field still focused is the workbench's undo, not the browser's undo of the text.
  await expect(threshold).toBeFocused();
  await threshold.press('Control+z');
  await expect(threshold).toHaveValue(String(before));
  await expect.poll(async () => (await mine(page)).pickedWith?.threshold).toBe(before);
  await threshold.press('Control+Shift+z');
  await expect.poll(async () => (await mine(page)).pickedWith?.threshold).toBe(12);
  await expect(threshold).toHaveValue('12');
  await blurFields(page);
  await page.keyboard.press('Control+z');
  await expect(threshold).toHaveValue(String(before));
  await expect.poll(async () => (await mine(page)).pickedWith?.threshold).toBe(before);
  // With text typed and not committed, Ctrl+Z is the text's own undo: the workbench's history is
  // untouched (the step before, the diameter, stays; the undone threshold can still be redone).
  await threshold.fill('30');
  await threshold.press('Control+z');
  expect((await mine(page)).params.threshold).toBe(before);
  expect((await mine(page)).params.diameter).toBe(102);
  await threshold.press('Escape');
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(async () => (await mine(page)).pickedWith?.threshold).toBe(12);
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await mine(page)).pickedWith?.threshold).toBe(before);
  // Escape goes back to the committed value.
  await threshold.fill('30');
  await threshold.press('Escape');
  await expect(threshold).toHaveValue(String(before));

  // A new diameter picks a reviewed micrograph again too, takes its reviewed mark off (its picks
  // moved: none of them is checked any more) and says so; Ctrl+Z gives both back.
  await blurFields(page);
  await page.keyboard.press('r');
  await expect.poll(async () => (await mine(page)).reviewed).toBe(true);
  await field.fill('120');
  await field.press('Enter');
  await expect(
    page
      .getByTestId('notice')
      .filter({ hasText: '1 micrograph you had marked reviewed was picked again at the new diameter and is no longer marked reviewed' }),
  ).toHaveCount(1);
  await expect.poll(async () => (await mine(page)).pickedWith?.diameter).toBe(120);
  expect((await mine(page)).reviewed).toBeFalsy();
  await blurFields(page);
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await mine(page)).reviewed).toBe(true);
  await expect.poll(async () => (await mine(page)).pickedWith?.diameter).toBe(102);
});

test('arrow keys on a focused slider move the slider, not the micrograph', async ({ page }) => {
  await openPickedDemos(page);
  const rows = page.getByTestId('mic-row');
  await rows.first().click();
  const slider = page.getByTestId('param-sigma');
  const sigma0 = Number(await slider.inputValue());
  await slider.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(rows.first()).toHaveClass(/current/);
  await expect(slider).toHaveValue(String(sigma0 + 1)); // two steps of 0.5
  await expect.poll(async () => (await micrographs(page))[0].pickedWith?.sigma).toBe(sigma0 + 1);
  await page.keyboard.press('ArrowLeft');
  await expect(slider).toHaveValue(String(sigma0 + 0.5));
  await expect(rows.first()).toHaveClass(/current/);
  // Letter shortcuts still work with the slider focused; Ctrl+Z undoes the slider's moves.
  await page.keyboard.press('n');
  await expect(rows.nth(1)).toHaveClass(/current/);
  await page.keyboard.press('Control+z');
  await expect(rows.first()).toHaveClass(/current/);
  await expect.poll(async () => (await micrographs(page))[0].params.sigma).toBe(sigma0);
});

test('"Apply to all" asks first, keeps each diameter, and one Ctrl+Z restores every micrograph', async ({ page }) => {
  await openPickedDemos(page);
  const rows = page.getByTestId('mic-row');
  await rows.first().click();
  const threshold = page.getByTestId('param-threshold-number');
  const t0 = Number(await threshold.inputValue());
  await threshold.fill(String(t0 + 2));
  await threshold.press('Enter');
  const before = await micrographs(page);
  // The change also sets what micrographs added later start from; another micrograph says so.
  await expect(page.getByTestId('later-defaults')).toHaveCount(0);
  await rows.nth(1).click();
  await expect(page.getByTestId('later-defaults')).toHaveText(
    `Micrographs added later start from the parameters set last: Threshold T ${t0 + 2}.`,
  );
  await rows.first().click();

  // Dismissed: nothing changes.
  page.once('dialog', (d) => void d.dismiss());
  await page.getByTestId('apply-all').click();
  expect((await micrographs(page)).slice(1).map((m) => m.params.threshold)).toEqual(before.slice(1).map((m) => m.params.threshold));

  let question = '';
  page.once('dialog', (d) => {
    question = d.message();
    void d.accept();
  });
  await page.getByTestId('apply-all').click();
  expect(question).toMatch(/other 2 micrographs/);
  await expect
    .poll(async () => (await micrographs(page)).every((m) => m.pickedWith?.threshold === t0 + 2), { timeout: 120_000 })
    .toBe(true);
  expect((await micrographs(page)).map((m) => m.params.diameter)).toEqual(before.map((m) => m.params.diameter));

  await blurFields(page);
  await page.keyboard.press('Control+z');
  await expect
    .poll(async () => (await micrographs(page)).slice(1).map((m) => m.pickedWith?.threshold), { timeout: 120_000 })
    .toEqual(before.slice(1).map((m) => m.params.threshold));
  expect((await micrographs(page))[0].params.threshold).toBe(t0 + 2);
  await expect(rows.first()).toHaveClass(/current/);
});

test('"Learn from reviewed" chooses the settings that reproduce the reviewed picks and sets them on the others', async ({ page }) => {
  await openPickedDemos(page);
  const rows = page.getByTestId('mic-row');
  const learn = page.getByTestId('settings-from-review');
  await expect(learn).toHaveText('Learn from reviewed (0)');
  await expect(learn).toBeDisabled();

  // Settings far too strict on every micrograph: the highest peak threshold keeps few picks.
  await rows.first().click();
  const threshold = page.getByTestId('param-threshold-number');
  await threshold.fill('40');
  await threshold.press('Enter');
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('apply-all').click();
  await expect.poll(async () => (await micrographs(page)).every((m) => m.pickedWith?.threshold === 40), { timeout: 120_000 }).toBe(true);
  const f1 = async (i: number) => Number(/F1 ([\d.]+)/.exec((await rows.nth(i).getByTestId('mic-f1').textContent()) ?? '')![1]);
  const strict = [await f1(1), await f1(2)];

  // The user fixes the first micrograph (here: its particles loaded as picks) and marks it reviewed.
  await page.getByTestId('file-input').setInputFiles('public/samples/truth/betagal_0001.star');
  await page.getByTestId('coords-as-picks').click();
  await expect.poll(async () => (await currentPicks(page)).filter((p) => p.state === 'manual').length).toBeGreaterThan(20);
  await rows.first().getByTestId('mic-reviewed').click();
  await expect(learn).toHaveText('Learn from reviewed (1)');

  // Cancelled while it counts (it takes ~0.1 s here, so both clicks go in one task of the page): nothing changes.
  await page.evaluate(async () => {
    const button = (id: string) => document.querySelector<HTMLButtonElement>(`[data-testid="${id}"]`)!;
    button('settings-from-review').click();
    await new Promise((r) => setTimeout(r, 0)); // React shows the cancel button
    if (!button('settings-from-review').textContent!.startsWith('Choosing settings… 0 / 1')) throw new Error('not choosing');
    button('settings-from-review-cancel').click();
  });
  await expect(page.getByTestId('notice').filter({ hasText: 'Learning from the reviewed micrographs was cancelled' })).toContainText(
    'Learning from the reviewed micrographs was cancelled; no settings changed.',
  );
  await expect(learn).toHaveText('Learn from reviewed (1)');
  expect((await micrographs(page)).every((m) => m.params.threshold === 40)).toBe(true);

  await learn.click();
  await expect(page.getByTestId('notice').filter({ hasText: 'Settings from your 1 reviewed micrograph:' })).toContainText(
    /Threshold T [\d.]+, Classifier cutoff [\d.]+, Calibrate per micrograph (on|off) \(F1 against your picks [\d.]+ → [\d.]+\)\. Set on the 2 micrographs not reviewed \(Ctrl\+Z undoes that\) and on micrographs added later/,
  );
  // The others are picked again with a lower threshold and match their truth better; the reviewed one keeps its own.
  await expect
    .poll(async () => (await micrographs(page)).slice(1).every((m) => (m.pickedWith?.threshold as number) < 40), { timeout: 120_000 })
    .toBe(true);
  expect((await micrographs(page))[0].params.threshold).toBe(40);
  expect(await storeValue<{ threshold: number }>(page, 'defaultParams')).toMatchObject({
    threshold: (await micrographs(page))[1].params.threshold,
  });
  await expect.poll(async () => (await f1(1)) > strict[0] && (await f1(2)) > strict[1]).toBe(true);

  // One Ctrl+Z gives them the strict settings back.
  await blurFields(page);
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await micrographs(page)).slice(1).every((m) => m.params.threshold === 40)).toBe(true);
});

test('"Learn from reviewed" where the reviewed picks are best kept by their own settings sets those on the others', async ({ page }) => {
  await openPickedDemos(page);
  const rows = page.getByTestId('mic-row');
  await rows.first().click();
  // The user raises the threshold on one micrograph, keeps its picks as they are, and marks it reviewed.
  const threshold = page.getByTestId('param-threshold-number');
  await threshold.fill('6');
  await threshold.press('Enter');
  await expect.poll(async () => (await micrographs(page))[0].pickedWith?.threshold, { timeout: 60_000 }).toBe(6);
  // Said once: it is set on this one alone, and micrographs added later start from it.
  await expect(
    page.getByTestId('notice').filter({ hasText: 'micrographs added from now on start from the parameters set last' }),
  ).toHaveCount(1);
  expect((await micrographs(page)).slice(1).every((m) => m.params.threshold !== 6)).toBe(true);
  await rows.first().getByTestId('mic-reviewed').click();
  await page.getByTestId('settings-from-review').click();
  await expect(page.getByTestId('notice').filter({ hasText: 'Settings from your 1 reviewed micrograph:' })).toContainText(
    /Threshold T 6, .*their own settings\)\. Set on the 2 micrographs not reviewed/,
  );
  await expect.poll(async () => (await micrographs(page)).slice(1).every((m) => m.params.threshold === 6)).toBe(true);
});

test('an export asked for just after a parameter change waits for the new picks, and writes them', async ({ page }) => {
  await openPickedDemos(page);
  await page.getByTestId('mic-row').first().click();
  const keptCount = async () => (await currentPicks(page)).filter((p) => p.state !== 'rejected').length;
  const before = await keptCount();
  const threshold = page.getByTestId('param-threshold-number');
  await threshold.fill('12');
  await threshold.press('Enter');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-current-star').click()]);
  const rows = readCoordinates(readFileSync(await download.path(), 'utf8'), download.suggestedFilename());
  const current = await storeValue<string>(page, 'currentKey');
  const micrograph = (await micrographs(page)).find((m) => m.key === current)!;
  expect(micrograph.pickedWith?.threshold).toBe(12);
  expect(micrograph.preview).toBeFalsy();
  const after = await keptCount();
  expect(after).not.toBe(before);
  expect([...rows.values()][0]).toHaveLength(after);
});
