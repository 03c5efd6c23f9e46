import { describe, expect, it, vi } from 'vitest';
import { Progress, formatSeconds } from '../packages/psilon/src/train/progress.js';

describe('progress bar', () => {
  it('formats durations', () => {
    expect(formatSeconds(4.24)).toBe('4.2s');
    expect(formatSeconds(75)).toBe('1m15s');
  });
  it('shows the bar, the loss and an ETA when enabled, nothing when disabled', () => {
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const on = new Progress(4, true);
      on.update(4, 0.123456);
      on.done();
      const text = spy.mock.calls.map((c) => String(c[0])).join('');
      expect(text).toMatch(/\[#{24}\] epoch 4\/4 {2}loss 0\.1235 {2}ETA 0\.0s/);
      spy.mockClear();
      const off = new Progress(4, false);
      off.update(4, 1);
      off.done();
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});
