import { useEffect, useState } from 'react';
import { TimingsPanel } from './components/TimingsPanel';
import { DisplayPanel } from './components/DisplayPanel';
import { ExportPanel } from './components/ExportPanel';
import { HelpOverlay } from './components/HelpOverlay';
import { MetricsPanel } from './components/MetricsPanel';
import { MicrographList } from './components/MicrographList';
import { ParamsPanel } from './components/ParamsPanel';
import { Toolbar } from './components/Toolbar';
import { Viewer } from './components/Viewer';
import { addFiles, boot } from './controller';
import { filesFromDrop } from './drop';
import { handleKey } from './keyboard';
import { useWorkbench } from './store';
import { TrainingPanel } from './training/TrainingPanel';


function Notices() {
  const notices = useWorkbench((s) => s.notices);
  const warning = useWorkbench((s) => s.storageWarning);
  const dismiss = useWorkbench((s) => s.dismissNotice);
  return (
    <div className="notices">
      {warning && (
        <div className="notice warn" data-testid="storage-warning">
          {warning}
        </div>
      )}
      {notices.map((n, i) => (
        <div key={i} className="notice" data-testid="notice" onClick={() => dismiss(i)} title="click to dismiss">
          {n}
        </div>
      ))}
    </div>
  );
}

export function App() {
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    void boot();
    addEventListener('keydown', handleKey);
    return () => {
      removeEventListener('keydown', handleKey);
    };
  }, []);

  return (
    <div
      className={`app ${dragging ? 'dragging' : ''}`}
      data-testid="app"
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDragging(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        void filesFromDrop(e.dataTransfer).then(addFiles);
      }}
    >
      <Toolbar />
      <Notices />
      <main className="layout">
        <MicrographList />
        <Viewer />
        <aside className="side">
          <ParamsPanel />
          <DisplayPanel />
          <MetricsPanel />
          <ExportPanel />
          <TrainingPanel />
          <TimingsPanel />
        </aside>
      </main>
      <HelpOverlay />
      {dragging && <div className="drop-hint">Drop micrographs, coordinate files or folders</div>}
    </div>
  );
}
