import type { BillingType, LedgerEvent, Role, SessionStatus } from '../gql/graphql';

export const BILLING_LABEL: Record<BillingType, string> = {
  PACKAGE: 'Package',
  PER_SESSION: 'Per session',
  MONTHLY: 'Monthly',
  NONE: 'No billing',
};

export const STATUS_LABEL: Record<SessionStatus, string> = {
  BOOKED: 'Booked',
  COMPLETED: 'Completed',
  NO_SHOW: 'No-show',
  LATE_CANCELLED: 'Late cancel',
  CANCELLED: 'Cancelled',
};

export const EVENT_LABEL: Record<LedgerEvent, string> = {
  ISSUED: 'Issued',
  USED: 'Used',
  RETURNED: 'Returned',
  VOIDED: 'Voided',
  DELETED: 'Deleted',
  EXPIRED: 'Expired',
  REVERSED: 'Reversed',
};

export const ROLE_LABEL: Record<Role, string> = { OWNER: 'Owner', ADMIN: 'Admin', TRAINER: 'Trainer' };

const dateFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});

/** A calendar date from the API (YYYY-MM-DD): shown as that day, whatever the time zone. */
export function formatDay(date: string | null | undefined): string {
  if (!date) return '';
  const [y, m, d] = date.slice(0, 10).split('-').map(Number);
  return dateFormat.format(new Date(y, m - 1, d));
}

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? dateTimeFormat.format(new Date(iso)) : '';
}

export function formatDate(iso: string | null | undefined): string {
  return iso ? dateFormat.format(new Date(iso)) : '';
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function timeAgo(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  if (Math.abs(seconds) < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (Math.abs(minutes) < 60) return relative.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 24) return relative.format(hours, 'hour');
  return relative.format(Math.round(hours / 24), 'day');
}

/** Prices are for the records only and carry no currency: shown as plain amounts. */
export function formatPrice(cents: number | null | undefined): string {
  if (cents == null) return '';
  return (cents / 100).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** "12.50" → 1250; blank → null; anything unreadable → NaN (the form refuses it). */
export function parsePrice(text: string): number | null {
  const trimmed = text.trim().replace(',', '.');
  if (trimmed === '') return null;
  if (!/^\d+(\.\d{1,2})?$/.test(trimmed)) return Number.NaN;
  return Math.round(Number(trimmed) * 100);
}

/** A local date-time input value (YYYY-MM-DDTHH:mm) for a Date. */
export function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function toDayInput(date: Date): string {
  return toLocalInput(date).slice(0, 10);
}

export function newKey(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}
