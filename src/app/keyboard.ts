// Global keyboard shortcuts (listed in components/HelpOverlay.tsx). A focused control keeps
// the keys it uses itself (key-targets.ts): a slider its arrows, a text field every key.
import { answerCoordinatePrompt } from './controller/files';
import { redo, undo } from './controller/undo';
import { nextUnreviewed, toggleFlag } from './controller/review-flags';
import { acceptAllPicks, deleteSelected } from './editing';
import { fieldOwnsKey, type KeyTarget } from './key-targets';
import { useWorkbench } from './store';
import { viewerCommands } from './viewer-commands';

export function handleKey(e: KeyboardEvent): void {
  const s = useWorkbench.getState();
  if (s.coordinatePrompt) {
    if (e.key === 'Escape') answerCoordinatePrompt(undefined); // as "Don't load"
    return; // otherwise the dialog waits for its answer
  }
  if (e.key === 'Escape') {
    s.set({ helpOpen: false, selectedPickId: undefined });
    return;
  }
  const ctrl = e.ctrlKey || e.metaKey;
  if (fieldOwnsKey(e.target as KeyTarget | null, e.key, ctrl)) return;
  const key = e.key.toLowerCase();
  if (ctrl && key === 'z') {
    e.preventDefault();
    if (e.shiftKey) redo();
    else undo();
    return;
  }
  if (ctrl && key === 'y') {
    e.preventDefault();
    redo();
    return;
  }
  if (ctrl || e.altKey) return;
  const actions: Record<string, () => void> = {
    n: () => s.step(1),
    arrowright: () => s.step(1),
    arrowdown: () => s.step(1),
    p: () => s.step(-1),
    arrowleft: () => s.step(-1),
    arrowup: () => s.step(-1),
    u: nextUnreviewed,
    r: () => toggleFlag(s.currentKey, 'reviewed'),
    e: () => toggleFlag(s.currentKey, 'excluded'),
    h: () => s.set({ showHeatmap: !s.showHeatmap }),
    v: () => s.set({ showPicks: !s.showPicks }),
    a: acceptAllPicks,
    delete: deleteSelected,
    backspace: deleteSelected,
    '?': () => s.set({ helpOpen: !s.helpOpen }),
    f: () => viewerCommands.fit(),
    '1': () => viewerCommands.oneToOne(),
  };
  const act = actions[key];
  if (act) {
    e.preventDefault();
    act();
  }
}
