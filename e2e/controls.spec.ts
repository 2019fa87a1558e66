// The display sliders and the retraining settings are drawn from tables (DisplayPanel's
// sliders, TrainingPanel's field lists): each control shows its setting and sets it, whole
// numbers rounded where the setting is a count.
import { expect, test, type Page } from '@playwright/test';
import { engineReady, storeValue } from './helpers';

/** One retraining setting of the training store. */
async function trainingValue(page: Page, kind: 'classifier' | 'detector', name: string): Promise<number> {
  return page.evaluate(
    async ({ kind, name }) => {
      const url = '/src/app/training/training-store.ts';
      const training = await import(/* @vite-ignore */ url);
      return training.useTraining.getState()[kind][name];
    },
    { kind, name },
  );
}

test('each display slider shows and sets its view setting', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await engineReady(page);
  const sliders: { testId: string; setting: string; value: string; shown: string }[] = [
    { testId: 'heatmap-opacity', setting: 'heatmapOpacity', value: '0.3', shown: '30%' },
    { testId: 'contrast-low', setting: 'contrastLow', value: '2.5', shown: '2.5' },
    { testId: 'contrast-high', setting: 'contrastHigh', value: '97', shown: '97' },
    { testId: 'lowpass', setting: 'lowpass', value: '25', shown: '25' },
  ];
  for (const s of sliders) {
    const input = page.getByTestId(s.testId);
    await input.fill(s.value);
    await expect.poll(() => storeValue(page, s.setting)).toBe(Number(s.value));
    await expect(input.locator('xpath=following-sibling::output')).toContainText(s.shown);
  }
});

test('each retraining setting shows its value and sets it; counts are whole numbers', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await engineReady(page);
  await page.getByTestId('training-panel').locator('summary').click();
  const shared = ['epochs', 'batchSize', 'learningRate', 'lrDecay', 'validationFraction', 'seed'];
  const tabs = { detector: ['maxPicks', ...shared], classifier: ['lowStdCount', 'maxPerClass', ...shared] } as const;
  for (const kind of ['detector', 'classifier'] as const) {
    await page.getByTestId(`train-tab-${kind}`).click();
    for (const name of tabs[kind]) {
      await expect(page.getByTestId(`train-${name}`)).toHaveValue(String(await trainingValue(page, kind, name)));
    }
    // A count typed with a fraction is rounded; a rate is kept as typed; each is set on Enter.
    const enter = async (name: string, text: string) => {
      await page.getByTestId(`train-${name}`).fill(text);
      await page.getByTestId(`train-${name}`).press('Enter');
    };
    await enter('epochs', '2.6');
    await expect.poll(() => trainingValue(page, kind, 'epochs')).toBe(3);
    await enter('learningRate', '0.0002');
    await expect.poll(() => trainingValue(page, kind, 'learningRate')).toBe(0.0002);
    const count = kind === 'detector' ? 'maxPicks' : 'lowStdCount';
    await enter(count, '7');
    await expect.poll(() => trainingValue(page, kind, count)).toBe(7);
    // Beyond the range is clamped to it, not refused keystroke by keystroke (which kept digits never typed).
    await enter('epochs', '2000');
    await expect.poll(() => trainingValue(page, kind, 'epochs')).toBe(1000);
    await enter('validationFraction', '0.6');
    await expect.poll(() => trainingValue(page, kind, 'validationFraction')).toBe(0.5);
    await enter('lrDecay', '0.95');
    await expect.poll(() => trainingValue(page, kind, 'lrDecay')).toBe(0.95);
    // Typed over and left without Enter: set on leaving the field.
    await page.getByTestId('train-seed').fill('42');
    await page.getByTestId('train-batchSize').focus();
    await expect.poll(() => trainingValue(page, kind, 'seed')).toBe(42);
  }
});
