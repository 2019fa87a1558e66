// Which keys a focused control keeps for itself, so the workbench's shortcuts leave them alone:
// a text field every key; a slider its arrows, Home, End and page keys (they move it); a
// checkbox or button Space and Enter. Everything else reaches the shortcuts (keyboard.ts),
// so "n" still steps to the next micrograph after a slider was dragged. A number field holding
// no uncommitted text (data-undo="workbench") leaves Ctrl+Z and Ctrl+Y to the workbench's undo:
// the browser's own would change the text only, leaving the box and the picks at odds.

/** The part of an event target this looks at (an Element in the page, a plain object in tests). */
export interface KeyTarget {
  tagName?: string;
  type?: string;
  isContentEditable?: boolean;
  dataset?: { undo?: string };
}

const SLIDER_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown']);
const PRESS_KEYS = new Set([' ', 'Enter']);
const NOT_TEXT = new Set(['range', 'checkbox', 'radio', 'button', 'submit', 'reset', 'color', 'file', 'image']);

const UNDO_KEYS = new Set(['z', 'Z', 'y', 'Y']);

export function fieldOwnsKey(target: KeyTarget | null | undefined, key: string, ctrl = false): boolean {
  if (!target?.tagName) return false;
  if (ctrl && UNDO_KEYS.has(key) && target.dataset?.undo === 'workbench') return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select') return true;
  if (tag === 'button') return PRESS_KEYS.has(key);
  if (tag !== 'input') return false;
  const type = (target.type ?? 'text').toLowerCase();
  if (type === 'range') return SLIDER_KEYS.has(key);
  if (NOT_TEXT.has(type)) return PRESS_KEYS.has(key);
  return true;
}
