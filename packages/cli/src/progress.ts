// A byte-based progress bar on stderr. Only on an interactive terminal: piped or redirected
// stderr (CI logs, `2> errors.txt`) must stay clean.
import cliProgress from 'cli-progress';

export interface Progress {
  update(bytesRead: number): void;
  /** Prints a line above the bar (errors would otherwise be overwritten by it). */
  log(line: string): void;
  stop(): void;
}

const MIN_BYTES_FOR_BAR = 4 * 1024 * 1024;

export function createProgress(totalBytes: number, enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY || totalBytes < MIN_BYTES_FOR_BAR) {
    return { update() {}, log: (line) => process.stderr.write(`${line}\n`), stop() {} };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'scanning [{bar}] {percentage}% | {mb} / {totalMb} MB | eta {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const mb = (bytes: number) => (bytes / 1048576).toFixed(1);
  bar.start(totalBytes, 0, { mb: mb(0), totalMb: mb(totalBytes) });
  return {
    update(bytesRead) {
      bar.update(Math.min(bytesRead, totalBytes), { mb: mb(bytesRead), totalMb: mb(totalBytes) });
    },
    log(line) {
      // Clear the bar's line, print, and let the next redraw bring it back.
      process.stderr.write(`\r\x1b[2K${line}\n`);
    },
    stop() {
      bar.stop();
    },
  };
}
