// Known-media matches: which bank entry an upload matched and how closely, and for a video which known
// video, the share of frames matched each way and where in the upload they are. The upload stays a
// blurred tile until revealed (logged); nothing here describes what it shows.
import { fmtDateTime, pct } from '../format.ts';
import type { MediaMatch } from '../types.ts';
import { Section } from './bits.tsx';
import { MediaTile, type Revealed } from './MediaTile.tsx';

/** Seconds as m:ss (tenths kept when the sample was not on a whole second). */
export function clock(seconds: number): string {
  const whole = Math.floor(seconds);
  const tenths = Math.round((seconds - whole) * 10);
  const s = `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
  return tenths > 0 && tenths < 10 ? `${s}.${tenths}` : s;
}

const of = (matched: number | null, total: number | null, share: number | null) =>
  matched !== null && total !== null ? `${matched} of ${total} (${pct(share ?? 0)}%)` : `${pct(share ?? 0)}%`;

export function MediaMatches({
  matches,
  revealed,
  onReveal,
  onHide,
}: {
  matches: MediaMatch[];
  revealed: Revealed | null;
  onReveal(m: MediaMatch): Promise<void>;
  onHide(): void;
}) {
  return (
    <Section title="Known media matched" id="media-matches">
      <p className="muted small">
        An upload's hashes matched a hash list. Lifeguard never stores the upload: a reveal shows the platform's copy
        where the case knows it, and is logged.
      </p>
      {matches.map((m) => (
        <article
          key={m.mediaId}
          className="media-match"
          data-testid="media-match"
          data-media-id={m.mediaId}
          aria-label={`Match ${m.mediaId}`}
        >
          <MediaTile
            media={{ id: m.mediaId, kind: m.media }}
            revealed={revealed?.mediaId === m.mediaId ? revealed : null}
            onReveal={() => onReveal(m)}
            onHide={onHide}
            startAt={m.video?.firstAt ?? null}
          />
          <div className="media-match-facts">
            <p className="media-match-title">
              <strong>{headline(m)}</strong> in bank <span className="mono">{m.bank}</span>
              {m.metadata && (
                <>
                  {' '}
                  · list entry <span className="mono">{m.metadata}</span>
                </>
              )}
            </p>
            <dl className="match-facts">
              {m.video?.match === 'known' && (
                <>
                  <dt>Frames of the upload matched</dt>
                  <dd data-testid="query-share">{of(m.video.queryMatched, m.video.queryFrames, m.video.queryShare)}</dd>
                  <dt>Frames of the known video matched</dt>
                  <dd data-testid="target-share">
                    {of(m.video.targetMatched, m.video.targetFrames, m.video.targetShare)}
                  </dd>
                </>
              )}
              <dt>{m.kind === 'pdq' ? 'Closest distance' : 'Match'}</dt>
              <dd>
                {m.kind === 'pdq'
                  ? `${m.distance} of 256 bits differ (${m.distance === 0 ? 'identical hash' : 'near copy'})`
                  : `exact ${m.kind.toUpperCase()} of the file`}
              </dd>
              {m.quality !== null && (
                <>
                  <dt>Hash quality</dt>
                  <dd>{m.quality}</dd>
                </>
              )}
              <dt>Uploaded by</dt>
              <dd>
                <span className="accused">{m.userId}</span>
                {m.messageId && (
                  <>
                    {' '}
                    in message <span className="mono">{m.messageId}</span>
                  </>
                )}
                {m.conversationId && (
                  <>
                    {' '}
                    of <span className="mono">{m.conversationId}</span>
                  </>
                )}
              </dd>
              <dt>Matched</dt>
              <dd>
                {fmtDateTime(m.at)} · hashed by {m.hashedBy === 'client' ? 'the platform' : 'Lifeguard'}
              </dd>
            </dl>
            {m.video && m.video.frames.length > 0 && (
              <div className="matched-frames">
                <h3 className="small">Where in the upload</h3>
                <ol className="frame-list" data-testid="matched-frames">
                  {m.video.frames.map((f) => (
                    <li key={f.at} data-at={f.at}>
                      <span className="mono">{clock(f.at)}</span>
                      {f.knownAt !== null && (
                        <span className="muted small"> ↔ {clock(f.knownAt)} of the known video</span>
                      )}
                      <span className="muted small"> · distance {f.distance}</span>
                    </li>
                  ))}
                </ol>
                {m.video.queryMatched !== null && m.video.queryMatched > m.video.frames.length && (
                  <p className="muted small">
                    The first {m.video.frames.length} of {m.video.queryMatched} matching frames.
                  </p>
                )}
              </div>
            )}
          </div>
        </article>
      ))}
    </Section>
  );
}

function headline(m: MediaMatch): string {
  if (!m.video) return 'Known image';
  if (m.video.match === 'known') return `Known video ${m.video.knownVideo}`;
  if (m.video.match === 'frame') return `Video frame at ${clock(m.video.firstAt ?? 0)} is a known image`;
  return 'Known video file';
}
