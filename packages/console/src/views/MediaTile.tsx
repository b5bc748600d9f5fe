// One item of reported media: a neutral blurred tile until the moderator asks, confirms, and the server
// logs the reveal. Only one item is shown at a time (the case view holds which).
import { useEffect, useRef, useState } from 'react';
import { words } from '../format.ts';
import type { MediaItem } from '../types.ts';

export interface Revealed {
  mediaId: string;
  ref: string | null;
  kind: string;
}

/** References the browser may load: same-origin paths, https, and local blobs (never javascript: or file:). */
const displayable = (ref: string | null) => !!ref && /^(https:\/\/|\/|data:image\/|blob:)/.test(ref);
const playable = (ref: string | null) => !!ref && /^(https:\/\/|\/|blob:)/.test(ref);

export function MediaTile({
  media,
  revealed,
  onReveal,
  onHide,
  startAt,
}: {
  media: MediaItem;
  revealed: Revealed | null;
  onReveal(): Promise<void>;
  onHide(): void;
  /** For a video: seconds to open it at (the first matching frame), so the moderator sees no more than needed. */
  startAt?: number | null;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) confirmRef.current?.focus();
  }, [asking]);
  useEffect(() => {
    if (!revealed) setAsking(false);
  }, [revealed]);

  if (revealed) {
    return (
      <figure
        className="media-tile media-shown"
        data-testid="media-tile"
        data-media-id={media.id}
        data-state="revealed"
      >
        {revealed.kind === 'image' && displayable(revealed.ref) ? (
          <img src={revealed.ref!} alt={`Revealed ${revealed.kind} ${media.id}`} className="media-img" />
        ) : revealed.kind === 'video' && playable(revealed.ref) ? (
          // Muted, not autoplayed: the moderator starts it.
          <video
            src={startAt ? `${revealed.ref}#t=${startAt}` : revealed.ref!}
            className="media-img"
            controls
            muted
            preload="metadata"
            aria-label={`Revealed video ${media.id}`}
          />
        ) : (
          <div className="media-placeholder shown">
            <span>No preview available for this {words(revealed.kind)}.</span>
            {revealed.ref && <span className="mono small">ref: {revealed.ref}</span>}
          </div>
        )}
        <figcaption>
          <span className="small">Revealed (logged)</span>
          <button type="button" className="btn btn-small" onClick={onHide}>
            Hide again
          </button>
        </figcaption>
      </figure>
    );
  }
  return (
    <figure className="media-tile media-hidden" data-testid="media-tile" data-media-id={media.id} data-state="hidden">
      <div className="media-placeholder blurred" aria-hidden="true" />
      <figcaption className="media-cover">
        <span className="media-kind">{words(media.kind)} hidden</span>
        {!asking ? (
          <button type="button" className="btn btn-small" onClick={() => setAsking(true)}>
            Reveal…
          </button>
        ) : (
          // biome-ignore lint/a11y/useSemanticElements: an inline confirmation inside a line; a fieldset would break the line
          <span className="media-confirm" role="group" aria-label="Confirm reveal">
            <span className="small warn-text">This may be distressing. Your reveal is logged.</span>
            <span className="btn-row">
              <button
                ref={confirmRef}
                type="button"
                className="btn btn-small btn-primary"
                disabled={busy}
                onClick={async () => {
                  setBusy(true);
                  await onReveal();
                  setBusy(false);
                }}
              >
                Show it
              </button>
              <button type="button" className="btn btn-small" onClick={() => setAsking(false)}>
                Cancel
              </button>
            </span>
          </span>
        )}
      </figcaption>
    </figure>
  );
}
