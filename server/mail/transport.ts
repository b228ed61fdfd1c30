import nodemailer, { type NodemailerError } from 'nodemailer';

/** One outbox row on its way out. */
export interface OutgoingMail {
  id: string;
  dedupeKey: string;
  to: string[];
  subject: string;
  text: string;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Log = (level: LogLevel, message: string) => void;

/** Logs to the console from `threshold` up; 'silent' logs nothing. */
export function consoleLog(threshold: LogLevel | 'silent' = 'info'): Log {
  const order: (LogLevel | 'silent')[] = ['debug', 'info', 'warn', 'error', 'silent'];
  const min = order.indexOf(threshold);
  return (level, message) => {
    if (order.indexOf(level) < min) return;
    (level === 'error' ? console.error : level === 'warn' ? console.warn : console.log)(message);
  };
}

/**
 * Where the sender hands mail. `smtp` emails it; `inbox` (no SMTP_URL) delivers it only to the
 * in-app notifications, which read the outbox table itself, and writes it to the log, so an
 * operator without a mail relay still sees every alert.
 */
export interface MailTransport {
  readonly kind: 'smtp' | 'inbox';
  /** Resolves once the mail is accepted; throws PermanentMailError when retrying cannot help. */
  send(mail: OutgoingMail): Promise<void>;
  close(): Promise<void>;
}

/** The relay refused the message for good (5xx): retrying the same message would fail again. */
export class PermanentMailError extends Error {}

/**
 * Hard deadline of one SMTP send. Must stay well below the sender's stale-claim window, so a
 * send still in flight is never taken for a crashed one and sent a second time.
 */
export const SMTP_SEND_DEADLINE_MS = 120_000;

export function smtpTransport(smtpUrl: string, from: string, log?: Log): MailTransport {
  // Query parameters of SMTP_URL (e.g. ?connectionTimeout=…) override these defaults.
  const transporter = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  });
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'punchcard.localhost';
  return {
    kind: 'smtp',
    async send(mail) {
      try {
        const info = await transporter.sendMail({
          from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          // Stable per outbox row: if the at-least-once window ever resends a mail, the copies
          // share a Message-ID, which mail clients and providers use to fold duplicates.
          messageId: `<${mail.id}@${domain}>`,
          headers: { 'X-Punchcard-Dedupe-Key': mail.dedupeKey },
          signal: AbortSignal.timeout(SMTP_SEND_DEADLINE_MS),
        });
        // The relay took the mail for some recipients and refused others: say so, never drop quietly.
        const rejected = info.rejected ?? [];
        if (rejected.length > 0) {
          log?.('warn', `Mail ${mail.id} (${mail.dedupeKey}): the relay refused ${rejected.join(', ')}.`);
        }
      } catch (error) {
        const e = error as NodemailerError;
        // EENVELOPE without a reply code: nothing to send to (no valid recipient). A 4xx on RCPT
        // (greylisting) is not permanent and is retried.
        const noRecipient = e.code === 'EENVELOPE' && e.responseCode == null;
        if (e.permanent === true || noRecipient) {
          throw new PermanentMailError(e.response ?? e.message, { cause: error });
        }
        throw error;
      }
    },
    async close() {
      transporter.close();
    },
  };
}

/** No mail relay: the outbox row itself is the notification; the log shows it too. */
export function inboxTransport(log: Log): MailTransport {
  return {
    kind: 'inbox',
    async send(mail) {
      const body = mail.text.replace(/^/gm, '    ');
      log(
        'info',
        `Mail kept as an in-app notification (no SMTP_URL) for ${mail.to.join(', ')}: ${mail.subject}\n${body}`,
      );
    },
    async close() {},
  };
}

export function mailTransportFromConfig(config: { smtpUrl?: string; mailFrom: string }, log: Log): MailTransport {
  return config.smtpUrl ? smtpTransport(config.smtpUrl, config.mailFrom, log) : inboxTransport(log);
}
