/** A one-line progress bar with ETA and the current loss, on stderr. */
export class Progress {
  private readonly start = performance.now();
  private readonly enabled: boolean;
  private last = 0;

  constructor(private readonly total: number, enabled?: boolean, private readonly label = 'epoch') {
    this.enabled = enabled ?? Boolean(typeof process !== 'undefined' && process.stderr?.isTTY); // never in a browser
  }

  /** Redraws the bar after `done` epochs, showing the last loss and the ETA. */
  update(done: number, loss: number): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (done < this.total && now - this.last < 100) return;
    this.last = now;
    const frac = done / this.total;
    const width = 24;
    const filled = Math.round(frac * width);
    const elapsed = (now - this.start) / 1000;
    const eta = frac > 0 ? elapsed * (1 / frac - 1) : 0;
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.label} ${done}/${this.total}  loss ${loss.toPrecision(4)}  ETA ${formatSeconds(eta)}   `);
  }

  /** Ends the bar's line. */
  done(): void {
    if (this.enabled) process.stderr.write('\n');
  }
}

/** 75 → "1m15s", 4.2 → "4.2s". */
export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${Math.round(s - 60 * m)}s`;
}
