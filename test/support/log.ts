import { Writable } from 'node:stream';
import { createLogger, type LogFormat, type LogLevel } from '../../server/observability/log.ts';

/** The app's logger, writing where the test can read it: `lines()` parses the JSON lines. */
export function capturedLogger(level: LogLevel = 'debug', format: LogFormat = 'json') {
  const text: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      text.push(String(chunk));
      done();
    },
  });
  return {
    logger: createLogger({ level, format, destination }),
    text,
    lines: (): Record<string, any>[] => text.flatMap((t) => t.split('\n').filter(Boolean)).map((l) => JSON.parse(l)),
  };
}
