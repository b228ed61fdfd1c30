import { InvalidInput, NoteTooLong } from './errors.ts';
import { ENTRY_NOTE_MAX_LENGTH } from './limits.ts';

/** Input checks shared by every operation; each failure names the field it is about. */

export function name(field: string, value: string, maxLength = 120): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) throw new InvalidInput(field, `${field} cannot be empty.`);
  if (trimmed.length > maxLength) throw new InvalidInput(field, `${field} can be at most ${maxLength} characters.`);
  return trimmed;
}

export function optionalText(field: string, value: string | null | undefined, maxLength = 200): string | null {
  if (value == null) return null;
  const trimmed = value.trim();
  if (trimmed.length > maxLength) throw new InvalidInput(field, `${field} can be at most ${maxLength} characters.`);
  return trimmed.length === 0 ? null : trimmed;
}

export function int(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidInput(field, `${field} must be a whole number from ${min} to ${max}.`);
  }
  return value;
}

/**
 * A team-only note, trimmed, counted in characters (code points: "é" and "😀" are one each, as
 * the web app's counter counts them); an empty note clears it. Entry notes by default; session
 * notes pass their own limit (limits.ts).
 */
export function note(value: string | null | undefined, maxLength = ENTRY_NOTE_MAX_LENGTH): string | null {
  if (value == null) return null;
  const trimmed = value.trim();
  const length = [...trimmed].length;
  if (length > maxLength) throw new NoteTooLong(length, maxLength);
  return trimmed.length === 0 ? null : trimmed;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function email(field: string, value: string): string {
  const normalized = value.trim().toLowerCase();
  if (normalized.length > 254 || !EMAIL.test(normalized)) {
    throw new InvalidInput(field, 'Enter a valid email address.');
  }
  return normalized;
}

export function optionalEmail(field: string, value: string | null | undefined): string | null {
  return value == null || value.trim() === '' ? null : email(field, value);
}

export function date(field: string, value: Date): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new InvalidInput(field, `${field} must be a valid date.`);
  }
  const year = value.getUTCFullYear();
  if (year < 2000 || year > 2200) throw new InvalidInput(field, `${field} is out of range.`);
  return value;
}

/** Start of the UTC day `days` after `from`: package expiry dates are whole days. */
export function dayAfter(from: Date, days: number): Date {
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()));
  d.setUTCDate(d.getUTCDate() + days);
  return d;
}
