// Global keyboard shortcuts (listed in components/HelpOverlay.tsx).
import { acceptAllPicks, deleteSelected } from './editing';
import { useWorkbench } from './store';
import { viewerCommands } from './viewer-commands';

function typingInField(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  if (!el || !el.tagName) return false;
  const tag = el.tagName.toLowerCase();
  return (tag === 'input' && !['range', 'checkbox'].includes((el as HTMLInputElement).type)) || tag === 'textarea' || tag === 'select' || el.isContentEditable;
}

export function handleKey(e: KeyboardEvent): void {
  const s = useWorkbench.getState();
  if (e.key === 'Escape') {
    s.set({ helpOpen: false, selectedPickId: undefined });
    return;
  }
  if (typingInField(e.target)) return;
  const ctrl = e.ctrlKey || e.metaKey;
  const key = e.key.toLowerCase();
  if (ctrl && key === 'z') {
    e.preventDefault();
    if (e.shiftKey) s.redo();
    else s.undo();
    return;
  }
  if (ctrl && key === 'y') {
    e.preventDefault();
    s.redo();
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
    h: () => s.set({ showHeatmap: !s.showHeatmap }),
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
