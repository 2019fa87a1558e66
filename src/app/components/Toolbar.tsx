// The toolbar wraps onto a second row when the window is narrow (at 1440 px and below with a
// long backend name), so nothing leaves the screen and the current micrograph's name keeps room.
import { useRef } from 'react';
import { FILE_INPUT_ACCEPT } from '../../core/file-kinds';
import { addFiles, loadSamples } from '../controller/files';
import { redo, undo } from '../controller/undo';
import { newSession } from '../controller/session';
import { filesFromInput } from '../drop';
import { displayPicksOf } from '../editing';
import { keptPicks } from '../picks-merge';
import { currentMic, useWorkbench } from '../store';
import { BackendIndicator } from './BackendIndicator';
import { EXPORT_PANEL_ID } from './ExportPanel';

export function Toolbar() {
  const fileRef = useRef<HTMLInputElement>(null);
  const folderRef = useRef<HTMLInputElement>(null);
  const set = useWorkbench((s) => s.set);
  const mic = useWorkbench(currentMic);
  const count = mic ? keptPicks(displayPicksOf(mic)).length : 0;
  const canUndo = useWorkbench((s) => s.past.length > 0 && !s.readOnly);
  const canRedo = useWorkbench((s) => s.future.length > 0 && !s.readOnly);
  const undoLabel = useWorkbench((s) => s.past[s.past.length - 1]?.label);
  const redoLabel = useWorkbench((s) => s.future[s.future.length - 1]?.label);
  const saveState = useWorkbench((s) => s.saveState);
  const readOnly = useWorkbench((s) => !!s.readOnly);

  const onFiles = (list: FileList | null, input: HTMLInputElement | null): void => {
    void addFiles(filesFromInput(list));
    if (input) input.value = '';
  };

  return (
    <header className="toolbar" data-testid="toolbar">
      <h1>DRPnet workbench</h1>
      <div className="tool-group">
        <button disabled={readOnly} onClick={() => fileRef.current?.click()}>
          Open files…
        </button>
        <input
          ref={fileRef}
          type="file"
          multiple
          accept={FILE_INPUT_ACCEPT}
          data-testid="file-input"
          hidden
          onChange={(e) => onFiles(e.target.files, e.target)}
        />
        <button disabled={readOnly} onClick={() => folderRef.current?.click()}>
          Open folder…
        </button>
        <input
          ref={(el) => {
            folderRef.current = el;
            el?.setAttribute('webkitdirectory', '');
          }}
          type="file"
          multiple
          data-testid="folder-input"
          hidden
          onChange={(e) => onFiles(e.target.files, e.target)}
        />
        <button disabled={readOnly} onClick={() => void loadSamples()} data-testid="load-samples">
          Demo data
        </button>
        <button
          onClick={() => document.getElementById(EXPORT_PANEL_ID)?.scrollIntoView({ block: 'start' })}
          title="Go to the export panel (coordinate files of this micrograph, or of all of them in one zip)"
          data-testid="toolbar-export"
        >
          Export…
        </button>
      </div>
      <div className="tool-group">
        <button
          onClick={undo}
          disabled={!canUndo}
          title={`Undo${undoLabel ? ` ${undoLabel}` : ''} (ctrl+z; the history starts afresh when the page is reloaded)`}
          data-testid="undo"
        >
          ↶
        </button>
        <button onClick={redo} disabled={!canRedo} title={`Redo${redoLabel ? ` ${redoLabel}` : ''} (ctrl+shift+z)`} data-testid="redo">
          ↷
        </button>
      </div>
      {mic && (
        <span className="current-count" data-testid="current-status" title={`${mic.name}: ${count} picks`}>
          <span className="current-name">{mic.name}</span>
          <span>
            : <b data-testid="current-pick-count">{count}</b> picks
          </span>
        </span>
      )}
      <span className="grow" />
      <div className="tool-group">
        <span
          className={`save-state ${saveState}`}
          data-testid="save-state"
          data-state={saveState}
          title="Picks, edits and parameters are saved in this browser as you work"
        >
          {readOnly ? 'read-only' : saveState === 'saved' ? '✓ saved' : saveState === 'saving' ? 'saving…' : 'not saved'}
        </span>
        <BackendIndicator />
        <button
          data-testid="new-session"
          disabled={readOnly}
          onClick={() => {
            if (
              window.confirm(
                'Start a new session? All micrographs, picks and edits of this session will be removed from this browser (the particle diameter is kept).',
              )
            )
              void newSession();
          }}
        >
          New session
        </button>
        <button onClick={() => set({ helpOpen: true })} title="Keyboard shortcuts (?)" data-testid="help-button">
          ?
        </button>
      </div>
    </header>
  );
}
