import nodemailer, { type NodemailerError } from 'nodemailer';
import type { Logger } from '../observability/log.ts';

/** One outbox row on its way out. */
export interface OutgoingMail {
  id: string;
  dedupeKey: string;
  to: string[];
  subject: string;
  text: string;
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

export function smtpTransport(smtpUrl: string, from: string, log?: Logger): MailTransport {
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
          log?.warn(
            { mailId: mail.id, dedupeKey: mail.dedupeKey, refused: rejected.map(String) },
            `Mail ${mail.id}: the relay refused ${rejected.join(', ')}.`,
          );
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
export function inboxTransport(log: Logger): MailTransport {
  return {
    kind: 'inbox',
    async send(mail) {
      log.info(
        { mailId: mail.id, dedupeKey: mail.dedupeKey, to: mail.to, subject: mail.subject, text: mail.text },
        `Mail kept as an in-app notification (no SMTP_URL) for ${mail.to.join(', ')}: ${mail.subject}`,
      );
    },
    async close() {},
  };
}

export function mailTransportFromConfig(config: { smtpUrl?: string; mailFrom: string }, log: Logger): MailTransport {
  return config.smtpUrl ? smtpTransport(config.smtpUrl, config.mailFrom, log) : inboxTransport(log);
}
