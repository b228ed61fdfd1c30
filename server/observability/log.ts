import { type DestinationStream, type Logger, pino } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
/** `auto`: pretty on a terminal, JSON anywhere else (pipes, files, containers, log collectors). */
export type LogFormat = 'json' | 'pretty' | 'auto';

export interface LogOptions {
  level: LogLevel;
  format: LogFormat;
  /** Where lines go: stdout (1) by default; CLIs whose stdout is their report use stderr (2). */
  destination?: 1 | 2 | DestinationStream;
}

/**
 * The one logger of a process: one JSON object per line (what log collectors parse), or
 * pino-pretty's readable lines for a developer's terminal. Errors go under `err` with their
 * stack (pino's serializer); refusals are logged without one (see operations.ts).
 */
export function createLogger({ level, format, destination = 1 }: LogOptions): Logger {
  const options = {
    level,
    // ISO times and level names read better than epoch milliseconds and numbers, in both formats.
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    base: { service: 'punchcard' },
  };
  const fd = typeof destination === 'number';
  const tty = destination === 1 ? process.stdout.isTTY : destination === 2 ? process.stderr.isTTY : false;
  if (format === 'pretty' || (format === 'auto' && tty)) {
    // Synchronous and in-process (no worker thread): lines appear in order with other output.
    return pino(
      options,
      pretty({ destination, sync: true, ignore: 'pid,hostname,service', translateTime: 'SYS:HH:MM:ss.l' }),
    );
  }
  return pino(options, fd ? pino.destination({ dest: destination, sync: true }) : destination);
}

/** A logger that drops everything (for code under test that needs one). */
export const silentLogger: Logger = pino({ level: 'silent' });
