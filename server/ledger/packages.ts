import { type Actor, requireWrite } from './actor.ts';
import { ClientCredits, fefo, isExpired, type PackageState } from './client-credits.ts';
import type { LedgerContext } from './context.ts';
import { InsufficientCredits, InvalidInput, NotFound, SessionTypeArchived } from './errors.ts';
import { idempotent, type TeamWrite, writeForTeam } from './team-write.ts';
import * as v from './validate.ts';

const MAX_CREDITS = 10_000;
const MAX_PRICE_CENTS = 100_000_000;

export interface CreatePackageInput {
  clientId: string;
  templateId?: string | null;
  name?: string | null;
  credits?: number | null;
  priceCents?: number | null;
  expiresOn?: Date | null;
  sessionTypeId?: string | null;
  note?: string | null;
  idempotencyKey?: string | null;
}

/** Explicit values win over the template's; a template's expiry is days from today. */
export async function createPackage(ctx: LedgerContext, actor: Actor, input: CreatePackageInput) {
  requireWrite(actor);
  const note = v.note(input.note);
  return writeForTeam(ctx, actor, (w) =>
    idempotent(w, input.idempotencyKey, 'createPackage', input, async () => {
      const template = input.templateId
        ? await w.tx.packageTemplate.findFirst({ where: { id: input.templateId, teamId: w.team.id } })
        : null;
      if (input.templateId && !template) throw new NotFound('PackageTemplate', input.templateId);
      const name = input.name ?? template?.name;
      const credits = input.credits ?? template?.credits;
      if (name == null) throw new InvalidInput('name', 'Give the package a name (or pick a template).');
      if (credits == null) throw new InvalidInput('credits', 'Say how many credits the package holds.');
      const expiresOn =
        input.expiresOn !== undefined
          ? input.expiresOn && startOfDay(v.date('expiresOn', input.expiresOn))
          : template?.expiryDays != null
            ? v.dayAfter(w.now, template.expiryDays)
            : null;
      if (expiresOn && expiresOn.getTime() <= w.now.getTime()) {
        throw new InvalidInput('expiresOn', 'The expiry date must be in the future.');
      }
      const pkg = await insertPackage(w, input.clientId, {
        name: v.name('name', name),
        credits: v.int('credits', credits, 1, MAX_CREDITS),
        priceCents:
          input.priceCents !== undefined
            ? input.priceCents == null
              ? null
              : v.int('priceCents', input.priceCents, 0, MAX_PRICE_CENTS)
            : (template?.priceCents ?? null),
        expiresOn,
        sessionTypeId: input.sessionTypeId !== undefined ? input.sessionTypeId : (template?.sessionTypeId ?? null),
        templateId: template?.id ?? null,
        note,
      });
      return { packageId: pkg.id };
    }),
  );
}

export interface IssueCreditsInput {
  clientId: string;
  sessionTypeId: string;
  credits: number;
  expiresOn?: Date | null;
  note?: string | null;
  idempotencyKey?: string | null;
}

/** Everfit-style "Issue credit" for a session type: a package of its own, so FEFO and expiry apply. */
export async function issueCredits(ctx: LedgerContext, actor: Actor, input: IssueCreditsInput) {
  requireWrite(actor);
  const note = v.note(input.note);
  const credits = v.int('credits', input.credits, 1, MAX_CREDITS);
  return writeForTeam(ctx, actor, (w) =>
    idempotent(w, input.idempotencyKey, 'issueCredits', input, async () => {
      const type = await w.tx.sessionType.findFirst({ where: { id: input.sessionTypeId, teamId: w.team.id } });
      if (!type) throw new NotFound('SessionType', input.sessionTypeId);
      if (!type.requiresCredits) {
        throw new InvalidInput('sessionTypeId', `"${type.name}" does not require credits.`);
      }
      const expiresOn = input.expiresOn ? startOfDay(v.date('expiresOn', input.expiresOn)) : null;
      if (expiresOn && expiresOn.getTime() <= w.now.getTime()) {
        throw new InvalidInput('expiresOn', 'The expiry date must be in the future.');
      }
      const pkg = await insertPackage(w, input.clientId, {
        name: `${type.name} credits`,
        credits,
        priceCents: null,
        expiresOn,
        sessionTypeId: type.id,
        templateId: null,
        note,
      });
      return { packageId: pkg.id };
    }),
  );
}

async function insertPackage(
  w: TeamWrite,
  clientId: string,
  p: {
    name: string;
    credits: number;
    priceCents: number | null;
    expiresOn: Date | null;
    sessionTypeId: string | null;
    templateId: string | null;
    note: string | null;
  },
) {
  const credits = await ClientCredits.load(w, clientId);
  if (credits.client.archivedAt) throw new InvalidInput('clientId', 'The client is archived.');
  if (credits.client.billingType !== 'PACKAGE') {
    throw new InvalidInput('clientId', 'Only clients with the Package billing type hold packages.');
  }
  if (p.sessionTypeId) {
    const type = await w.tx.sessionType.findFirst({ where: { id: p.sessionTypeId, teamId: w.team.id } });
    if (!type) throw new NotFound('SessionType', p.sessionTypeId);
    if (type.archivedAt) throw new SessionTypeArchived(type.id);
  }
  // Created empty and filled by its ISSUED entry, so remaining = sum of entries from the start.
  const row = await w.tx.package.create({
    data: {
      teamId: w.team.id,
      clientId,
      name: p.name,
      totalCredits: p.credits,
      remainingCredits: 0,
      priceCents: p.priceCents,
      expiresOn: p.expiresOn,
      sessionTypeId: p.sessionTypeId,
      templateId: p.templateId,
      createdById: w.actor.kind === 'MEMBER' ? w.actor.memberId : null,
      createdAt: w.now,
    },
  });
  const pkg: PackageState = { ...row, sessionTypeArchived: false }; // archived types were refused above
  credits.track(pkg);
  await credits.move(pkg, 'ISSUED', p.credits, { note: p.note });
  return pkg;
}

export interface RemoveCreditsInput {
  clientId: string;
  /** Remove from this package; otherwise from the session type's packages, first-expiring first. */
  packageId?: string | null;
  sessionTypeId?: string | null;
  credits: number;
  note?: string | null;
  idempotencyKey?: string | null;
}

/** A teammate takes credits away (DELETED entries). Allowed on archived session types too. */
export async function removeCredits(ctx: LedgerContext, actor: Actor, input: RemoveCreditsInput) {
  requireWrite(actor);
  const note = v.note(input.note);
  const amount = v.int('credits', input.credits, 1, MAX_CREDITS);
  return writeForTeam(ctx, actor, (w) =>
    idempotent(w, input.idempotencyKey, 'removeCredits', input, async () => {
      const credits = await ClientCredits.load(w, input.clientId);
      const candidates = credits.packages
        .filter((p) => p.remainingCredits > 0 && !isExpired(p, w.now))
        .filter((p) =>
          input.packageId != null
            ? p.id === input.packageId
            : input.sessionTypeId === undefined || p.sessionTypeId === input.sessionTypeId,
        )
        .sort(fefo);
      if (input.packageId != null) credits.get(input.packageId);
      const available = candidates.reduce((sum, p) => sum + p.remainingCredits, 0);
      if (available < amount) throw new InsufficientCredits(available, amount, input.sessionTypeId ?? null);
      let left = amount;
      const entryIds: string[] = [];
      for (const pkg of candidates) {
        if (left === 0) break;
        const take = Math.min(left, pkg.remainingCredits);
        entryIds.push((await credits.move(pkg, 'DELETED', -take, { note })).id);
        left -= take;
      }
      return { clientId: input.clientId, entryIds, balance: credits.balance() };
    }),
  );
}

/**
 * Expires every package whose expiry day has come: an EXPIRED entry takes its unused credits
 * (kept visible as expiredCredits) and the package becomes read-only. Safe to run anywhere,
 * any number of times: the team lock plus `expiredAt IS NULL` make each package expire once.
 */
export async function expirePackages(ctx: LedgerContext, teamId: string): Promise<number> {
  const now = ctx.now();
  const due = await ctx.prisma.package.findMany({
    where: { teamId, expiredAt: null, expiresOn: { lte: now } },
    select: { clientId: true },
    distinct: ['clientId'],
  });
  let expired = 0;
  for (const { clientId } of due) {
    expired += await writeForTeam(ctx, { kind: 'SYSTEM', teamId }, async (w) => {
      const credits = await ClientCredits.load(w, clientId);
      let count = 0;
      for (const pkg of credits.packages) {
        if (pkg.expiredAt != null || pkg.expiresOn == null || pkg.expiresOn.getTime() > w.now.getTime()) continue;
        const unused = pkg.remainingCredits;
        await credits.move(pkg, 'EXPIRED', -unused);
        await w.tx.package.update({ where: { id: pkg.id }, data: { expiredAt: w.now, expiredCredits: unused } });
        pkg.expiredAt = w.now;
        count++;
      }
      return count;
    });
  }
  return expired;
}

function startOfDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}
