// The model library: the active detector and classifier (what the next pick uses), every
// stored model with download and delete, and loading a model from files.
import { useRef } from 'react';
import type { ModelKind } from '../../core/model/model-io';
import { SHIPPED_MODEL } from '../../../workers/training-api';
import type { ModelInfo } from '../../../workers/model-library';
import { activateFromLibrary, downloadModel, importModelFiles, removeModel } from './training-controller';
import { useTraining } from './training-store';

const KIND_LABEL: Record<ModelKind, string> = { fcrn: 'Detector', classifier: 'Classifier' };

function ActiveSelect({ kind, models }: { kind: ModelKind; models: ModelInfo[] }) {
  const active = useTraining((s) => s.active[kind]);
  const busy = useTraining((s) => !!s.busy);
  const own = models.filter((m) => m.kind === kind);
  return (
    <label className="train-field">
      <span>{KIND_LABEL[kind]}</span>
      <select
        data-testid={`active-${kind}`}
        value={active}
        disabled={busy}
        onChange={(e) => void activateFromLibrary(kind, e.target.value)}
        title={`The ${KIND_LABEL[kind].toLowerCase()} picking uses`}
      >
        <option value={SHIPPED_MODEL}>shipped (public/models)</option>
        {own.map((m) => (
          <option key={m.id} value={m.id}>
            {m.name}
          </option>
        ))}
        {active !== SHIPPED_MODEL && !own.some((m) => m.id === active) && <option value={active}>{active}</option>}
      </select>
    </label>
  );
}

function summaryLine(m: ModelInfo): string {
  const t = m.metadata.trainingSummary ?? {};
  const parts = [`${(m.bytes / 1024).toFixed(0)} KiB`, `radius ${m.metadata.workingRadius}`];
  if (typeof t.patches === 'number') parts.push(`${t.patches} patches`);
  if (typeof t.epochs === 'number') parts.push(`${t.epochs} epoch${t.epochs === 1 ? '' : 's'}`);
  if (typeof t.backend === 'string') parts.push(t.backend);
  return parts.join(' · ');
}

export function ModelLibraryPanel() {
  const models = useTraining((s) => s.library);
  const active = useTraining((s) => s.active);
  const busy = useTraining((s) => !!s.busy);
  const input = useRef<HTMLInputElement>(null);
  return (
    <section className="panel model-library" data-testid="model-library">
      <h2>Models</h2>
      <ActiveSelect kind="fcrn" models={models} />
      <ActiveSelect kind="classifier" models={models} />
      <ul className="model-list">
        {(['fcrn', 'classifier'] as const).map((kind) => (
          <li
            key={`shipped-${kind}`}
            className={`model-row ${active[kind] === SHIPPED_MODEL ? 'active' : ''}`}
            data-testid="model-row"
            data-id={SHIPPED_MODEL}
            data-kind={kind}
            data-active={active[kind] === SHIPPED_MODEL}
          >
            <span className="model-name">shipped {kind === 'fcrn' ? 'detector' : 'classifier'}</span>
            <button
              className="icon"
              onClick={() => void downloadModel(kind, SHIPPED_MODEL)}
              title="Download (model.json + weights.bin as a zip)"
            >
              ⤓
            </button>
          </li>
        ))}
        {models.map((m) => (
          <li
            key={m.id}
            className={`model-row ${active[m.kind] === m.id ? 'active' : ''}`}
            data-testid="model-row"
            data-id={m.id}
            data-kind={m.kind}
            data-active={active[m.kind] === m.id}
          >
            <span className="model-name" title={`${m.source} ${new Date(m.added).toLocaleString()}`}>
              {m.name}
              <small>{summaryLine(m)}</small>
            </span>
            {active[m.kind] !== m.id && (
              <button
                className="icon"
                disabled={busy}
                data-testid="model-use"
                onClick={() => void activateFromLibrary(m.kind, m.id)}
                title="Use for picking"
              >
                ✓
              </button>
            )}
            <button
              className="icon"
              data-testid="model-download"
              onClick={() => void downloadModel(m.kind, m.id)}
              title="Download (model.json + weights.bin as a zip)"
            >
              ⤓
            </button>
            <button
              className="icon"
              disabled={busy}
              data-testid="model-delete"
              onClick={() => confirm(`Delete ${m.name}?`) && void removeModel(m.kind, m.id)}
              title="Delete"
            >
              ✕
            </button>
          </li>
        ))}
      </ul>
      <div className="buttons">
        <button
          disabled={busy}
          onClick={() => input.current?.click()}
          title="A zip of model.json + weights.bin, or both files (e.g. from drpnet train-detector / train-classifier)"
        >
          Load model files…
        </button>
        <input
          ref={input}
          type="file"
          multiple
          accept=".zip,.json,.bin"
          data-testid="model-import"
          style={{ display: 'none' }}
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            if (files.length) void importModelFiles(files);
          }}
        />
      </div>
    </section>
  );
}
