import { useRef } from 'react';
import { FILE_INPUT_ACCEPT } from '../../core/file-kinds';
import { addFiles, loadSamples, newSession } from '../controller';
import { filesFromInput } from '../drop';
import { displayPicksOf } from '../editing';
import { keptPicks } from '../picks-merge';
import { currentMic, useWorkbench } from '../store';
import { BackendIndicator } from './BackendIndicator';


export function Toolbar() {
  const fileRef = useRef<HTMLInputElement>(null);
  const folderRef = useRef<HTMLInputElement>(null);
  const coordsAs = useWorkbench((s) => s.loadCoordinatesAs);
  const set = useWorkbench((s) => s.set);
  const mic = useWorkbench(currentMic);
  const count = mic ? keptPicks(displayPicksOf(mic)).length : 0;
  const canUndo = useWorkbench((s) => s.past.length > 0);
  const canRedo = useWorkbench((s) => s.future.length > 0);
  const saveState = useWorkbench((s) => s.saveState);

  const onFiles = (list: FileList | null, input: HTMLInputElement | null): void => {
    void addFiles(filesFromInput(list));
    if (input) input.value = '';
  };

  return (
    <header className="toolbar">
      <h1>DRPnet workbench</h1>
      <button onClick={() => fileRef.current?.click()}>Open files…</button>
      <input ref={fileRef} type="file" multiple accept={FILE_INPUT_ACCEPT} data-testid="file-input" hidden onChange={(e) => onFiles(e.target.files, e.target)} />
      <button onClick={() => folderRef.current?.click()}>Open folder…</button>
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
      <label className="coords-as" title="How coordinate files you load are used">
        coords as
        <select data-testid="coords-as" value={coordsAs} onChange={(e) => set({ loadCoordinatesAs: e.target.value as 'truth' | 'picks' })}>
          <option value="truth">ground truth</option>
          <option value="picks">editable picks</option>
        </select>
      </label>
      <button onClick={() => void loadSamples()} data-testid="load-samples">Demo data</button>
      <span className="sep" />
      <button onClick={() => useWorkbench.getState().undo()} disabled={!canUndo} title="Undo (ctrl+z)" data-testid="undo">↶</button>
      <button onClick={() => useWorkbench.getState().redo()} disabled={!canRedo} title="Redo (ctrl+shift+z)" data-testid="redo">↷</button>
      {mic && (
        <span className="current-count">
          {mic.name}: <b data-testid="current-pick-count">{count}</b> picks
        </span>
      )}
      <span className="grow" />
      <span className={`save-state ${saveState}`} data-testid="save-state" data-state={saveState} title="Picks, edits and parameters are saved in this browser as you work">
        {saveState === 'saved' ? '✓ saved' : saveState === 'saving' ? 'saving…' : 'not saved'}
      </span>
      <BackendIndicator />
      <button
        data-testid="new-session"
        onClick={() => {
          if (window.confirm('Start a new session? All micrographs, picks and edits of this session will be removed from this browser.')) void newSession();
        }}
      >
        New session
      </button>
      <button onClick={() => set({ helpOpen: true })} title="Keyboard shortcuts (?)" data-testid="help-button">?</button>
    </header>
  );
}
