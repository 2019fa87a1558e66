// Notices: short messages in a corner of the micrograph list, never over the viewer. Each
// goes away by itself (errors stay longer), sooner when clicked; hovering keeps it.
import { useEffect, useState } from 'react';
import { useWorkbench, type Notice } from '../store';

/** How long a notice stays (ms). */
export const NOTICE_MS = { info: 8000, error: 20000 } as const;

function NoticeItem({ n }: { n: Notice }) {
  const dismiss = useWorkbench((s) => s.dismissNotice);
  const [hover, setHover] = useState(false);
  useEffect(() => {
    if (hover) return;
    const t = setTimeout(() => dismiss(n.id), NOTICE_MS[n.tone]);
    return () => clearTimeout(t);
  }, [hover, n.id, n.tone, dismiss]);
  return (
    <div
      className={`notice ${n.tone}`}
      data-testid="notice"
      data-tone={n.tone}
      onMouseEnter={() => setHover(true)}
      onMouseLeave={() => setHover(false)}
    >
      <span>{n.text}</span>
      <button className="icon" data-testid="notice-close" title="Dismiss" onClick={() => dismiss(n.id)}>
        ✕
      </button>
    </div>
  );
}

export function Notices() {
  const notices = useWorkbench((s) => s.notices);
  const warning = useWorkbench((s) => s.storageWarning);
  return (
    <div className="notices" data-testid="notices">
      {warning && (
        <div className="notice warn" data-testid="storage-warning">
          {warning}
        </div>
      )}
      {notices.map((n) => (
        <NoticeItem key={n.id} n={n} />
      ))}
    </div>
  );
}
