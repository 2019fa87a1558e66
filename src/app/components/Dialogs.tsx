// Questions and banners over the workbench: how to use dropped coordinate files, and the
// banner of a tab that only looks at a session another tab edits.
import { answerCoordinatePrompt } from '../controller/files';
import { takeOver } from '../controller/two-tabs';
import { useWorkbench } from '../store';

export function CoordinatePrompt() {
  const prompt = useWorkbench((s) => s.coordinatePrompt);
  if (!prompt) return null;
  const n = prompt.files.length;
  return (
    <div className="overlay" data-testid="coordinate-prompt">
      <div className="help dialog" role="dialog" aria-label="Coordinate files">
        <h2>
          {n} coordinate file{n === 1 ? '' : 's'}
        </h2>
        <p className="file-list">
          {prompt.files.slice(0, 4).join(', ')}
          {n > 4 ? ', …' : ''}
        </p>
        <p>How should they be used?</p>
        <div className="buttons">
          <button
            data-testid="coords-as-picks"
            onClick={() => answerCoordinatePrompt('picks')}
            title="They become this micrograph's picks, to edit, move and export; its automatic picks are set aside (Ctrl+Z brings them back)"
          >
            Editable picks
          </button>
          <button
            data-testid="coords-as-truth"
            onClick={() => answerCoordinatePrompt('truth')}
            title="Score the picks against them (recall, precision, F1); not exported"
          >
            Ground truth (for scoring)
          </button>
          <button data-testid="coords-cancel" onClick={() => answerCoordinatePrompt(undefined)}>
            Don’t load
          </button>
        </div>
        <p className="small">Ground truth can be unloaded later in the “Against ground truth” panel.</p>
      </div>
    </div>
  );
}

export function ReadOnlyBanner() {
  const readOnly = useWorkbench((s) => s.readOnly);
  const takingOver = useWorkbench((s) => s.takingOver);
  if (!readOnly) return null;
  return (
    <div className="read-only-banner" data-testid="read-only-banner">
      <span>Read-only: {readOnly}.</span>
      <button
        data-testid="take-over"
        disabled={takingOver}
        onClick={() => void takeOver()}
        title="The other tab saves everything and becomes read-only; this tab reloads and edits"
      >
        {takingOver ? 'Taking over…' : 'Edit here instead'}
      </button>
    </div>
  );
}
