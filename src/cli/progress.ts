import cliProgress from 'cli-progress';
import type { ProgressFn } from '../index/types.js';

/**
 * Re-index progress on stderr: a bar on a terminal, a line per quarter otherwise (a bar in a log
 * file is just noise).
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): ProgressFn {
  let bar: cliProgress.SingleBar | null = null;
  let lastQuarter = -1;
  return (event) => {
    if (event.stage === 'parse') stream.write(`reindex: read ${event.files} corpus file(s)\n`);
    if (event.stage === 'write') {
      bar?.stop();
      bar = null;
      stream.write('reindex: writing the index\n');
    }
    if (event.stage !== 'embed' || event.total === 0) return;
    if (stream.isTTY) {
      bar ??= new cliProgress.SingleBar(
        { stream, format: 'embedding [{bar}] {value}/{total} passages  {eta}s left', hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      if (event.done === 0) bar.start(event.total, 0);
      else bar.update(event.done);
      return;
    }
    const quarter = Math.floor((event.done / event.total) * 4);
    if (quarter !== lastQuarter) stream.write(`reindex: embedded ${event.done}/${event.total} passages\n`);
    lastQuarter = quarter;
  };
}
