import type { BillingType } from '../generated/prisma/enums.ts';
import { type Actor, requireManager, requireWrite } from './actor.ts';
import { isExpired } from './client-credits.ts';
import type { LedgerContext } from './context.ts';
import { NotFound, SessionTypeLocked, SessionTypeNameTaken } from './errors.ts';
import { type TeamWrite, writeForTeam } from './team-write.ts';
import * as v from './validate.ts';

/** Clients, session types, templates, team settings and notes: no credit moves here. */

export interface ClientInput {
  name?: string;
  email?: string | null;
  phone?: string | null;
  billingType?: BillingType;
}

export async function createClient(ctx: LedgerContext, actor: Actor, input: ClientInput & { name: string }) {
  requireWrite(actor);
  return ctx.prisma.client.create({
    data: {
      teamId: actor.teamId,
      name: v.name('name', input.name),
      email: v.optionalEmail('email', input.email),
      phone: v.optionalText('phone', input.phone, 40),
      billingType: input.billingType ?? 'PACKAGE',
      createdAt: ctx.now(),
    },
    select: { id: true },
  });
}

async function findClient(ctx: LedgerContext, actor: Actor, id: string) {
  const client = await ctx.prisma.client.findFirst({ where: { id, teamId: actor.teamId }, select: { id: true } });
  if (!client) throw new NotFound('Client', id);
  return client;
}

export async function updateClient(ctx: LedgerContext, actor: Actor, id: string, input: ClientInput) {
  requireWrite(actor);
  await findClient(ctx, actor, id);
  return ctx.prisma.client.update({
    where: { id },
    data: {
      name: input.name === undefined ? undefined : v.name('name', input.name),
      email: input.email === undefined ? undefined : v.optionalEmail('email', input.email),
      phone: input.phone === undefined ? undefined : v.optionalText('phone', input.phone, 40),
      billingType: input.billingType,
    },
    select: { id: true },
  });
}

/** Archived clients leave the list; their history and credits stay. */
export async function archiveClient(ctx: LedgerContext, actor: Actor, id: string, archived = true) {
  requireWrite(actor);
  await findClient(ctx, actor, id);
  return ctx.prisma.client.update({
    where: { id },
    data: { archivedAt: archived ? ctx.now() : null },
    select: { id: true },
  });
}

export interface SessionTypeInput {
  name?: string;
  requiresCredits?: boolean;
  durationMinutes?: number;
}

/**
 * A session type's name, checked free in the team (ignoring case, archived types included, so
 * restoring one never clashes). Called under the team lock, so two writers cannot both pass.
 */
async function freeTypeName(w: TeamWrite, name: string, exceptId?: string): Promise<string> {
  // lower() = lower(), not Prisma's insensitive `equals`: that is an ILIKE, where `%`, `_` and a
  // trailing `\` in a name are pattern syntax (a name "%" would clash with every other).
  const [clash] = await w.tx.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "SessionType"
     WHERE "teamId" = ${w.team.id} AND lower("name") = lower(${name}) AND "id" IS DISTINCT FROM ${exceptId ?? null}
     LIMIT 1`;
  if (clash) throw new SessionTypeNameTaken(name);
  return name;
}

export async function createSessionType(ctx: LedgerContext, actor: Actor, input: SessionTypeInput & { name: string }) {
  requireManager(actor);
  const name = v.name('name', input.name);
  const durationMinutes = v.int('durationMinutes', input.durationMinutes ?? 60, 5, 24 * 60);
  return writeForTeam(ctx, actor, async (w) =>
    w.tx.sessionType.create({
      data: {
        teamId: w.team.id,
        name: await freeTypeName(w, name),
        requiresCredits: input.requiresCredits ?? true,
        durationMinutes,
        createdAt: w.now,
      },
      select: { id: true },
    }),
  );
}

/** "Requires credits" locks once a session of the type exists (checked under the team lock). */
export async function updateSessionType(ctx: LedgerContext, actor: Actor, id: string, input: SessionTypeInput) {
  requireManager(actor);
  return writeForTeam(ctx, actor, async (w) => {
    const type = await w.tx.sessionType.findFirst({ where: { id, teamId: w.team.id } });
    if (!type) throw new NotFound('SessionType', id);
    if (input.requiresCredits !== undefined && input.requiresCredits !== type.requiresCredits) {
      if (await w.tx.session.count({ where: { sessionTypeId: id } })) throw new SessionTypeLocked(id);
    }
    return w.tx.sessionType.update({
      where: { id },
      data: {
        name: input.name === undefined ? undefined : await freeTypeName(w, v.name('name', input.name), id),
        requiresCredits: input.requiresCredits,
        durationMinutes:
          input.durationMinutes === undefined ? undefined : v.int('durationMinutes', input.durationMinutes, 5, 24 * 60),
      },
      select: { id: true },
    });
  });
}

/**
 * Archiving keeps existing credits visible ("Archived") but unusable; the caller gets the
 * credits still outstanding so it can warn about them.
 */
export async function archiveSessionType(ctx: LedgerContext, actor: Actor, id: string, archived = true) {
  requireManager(actor);
  const type = await ctx.prisma.sessionType.findFirst({ where: { id, teamId: actor.teamId } });
  if (!type) throw new NotFound('SessionType', id);
  await ctx.prisma.sessionType.update({ where: { id }, data: { archivedAt: archived ? ctx.now() : null } });
  const packages = await ctx.prisma.package.findMany({
    where: { sessionTypeId: id, remainingCredits: { gt: 0 } },
    select: { remainingCredits: true, expiresOn: true, expiredAt: true },
  });
  const now = ctx.now();
  const outstandingCredits = packages.filter((p) => !isExpired(p, now)).reduce((sum, p) => sum + p.remainingCredits, 0);
  return { sessionTypeId: id, outstandingCredits };
}

export interface TemplateInput {
  name?: string;
  credits?: number;
  priceCents?: number | null;
  expiryDays?: number | null;
  sessionTypeId?: string | null;
}

async function templateData(ctx: LedgerContext, actor: Actor, input: TemplateInput) {
  if (input.sessionTypeId) {
    const type = await ctx.prisma.sessionType.findFirst({ where: { id: input.sessionTypeId, teamId: actor.teamId } });
    if (!type) throw new NotFound('SessionType', input.sessionTypeId);
  }
  return {
    name: input.name === undefined ? undefined : v.name('name', input.name),
    credits: input.credits === undefined ? undefined : v.int('credits', input.credits, 1, 10_000),
    priceCents: input.priceCents == null ? input.priceCents : v.int('priceCents', input.priceCents, 0, 100_000_000),
    expiryDays: input.expiryDays == null ? input.expiryDays : v.int('expiryDays', input.expiryDays, 1, 3650),
    sessionTypeId: input.sessionTypeId,
  };
}

export async function createPackageTemplate(
  ctx: LedgerContext,
  actor: Actor,
  input: TemplateInput & { name: string; credits: number },
) {
  requireManager(actor);
  const data = await templateData(ctx, actor, input);
  return ctx.prisma.packageTemplate.create({
    data: {
      ...data,
      name: data.name as string,
      credits: data.credits as number,
      teamId: actor.teamId,
      createdAt: ctx.now(),
    },
    select: { id: true },
  });
}

export async function updatePackageTemplate(ctx: LedgerContext, actor: Actor, id: string, input: TemplateInput) {
  requireManager(actor);
  const existing = await ctx.prisma.packageTemplate.findFirst({ where: { id, teamId: actor.teamId } });
  if (!existing) throw new NotFound('PackageTemplate', id);
  return ctx.prisma.packageTemplate.update({
    where: { id },
    data: await templateData(ctx, actor, input),
    select: { id: true },
  });
}

/** Packages made from a template keep their own values; only the link is cleared. */
export async function deletePackageTemplate(ctx: LedgerContext, actor: Actor, id: string) {
  requireManager(actor);
  const existing = await ctx.prisma.packageTemplate.findFirst({ where: { id, teamId: actor.teamId } });
  if (!existing) throw new NotFound('PackageTemplate', id);
  await ctx.prisma.packageTemplate.delete({ where: { id } });
  return { id };
}

export async function updateTeamSettings(
  ctx: LedgerContext,
  actor: Actor,
  input: { name?: string; cancelWindowHours?: number; lowCreditThreshold?: number },
) {
  requireManager(actor);
  return ctx.prisma.team.update({
    where: { id: actor.teamId },
    data: {
      name: input.name === undefined ? undefined : v.name('name', input.name),
      cancelWindowHours:
        input.cancelWindowHours === undefined ? undefined : v.int('cancelWindowHours', input.cancelWindowHours, 0, 720),
      lowCreditThreshold:
        input.lowCreditThreshold === undefined
          ? undefined
          : v.int('lowCreditThreshold', input.lowCreditThreshold, 1, 3),
    },
    select: { id: true },
  });
}

/** Notes are the one editable part of a ledger entry: amounts and events never change. */
export async function updateLedgerNote(ctx: LedgerContext, actor: Actor, entryId: string, note: string | null) {
  requireWrite(actor);
  const text = v.note(note);
  const entry = await ctx.prisma.ledgerEntry.findFirst({
    where: { id: entryId, teamId: actor.teamId },
    select: { id: true },
  });
  if (!entry) throw new NotFound('LedgerEntry', entryId);
  return ctx.prisma.ledgerEntry.update({ where: { id: entryId }, data: { note: text }, select: { id: true } });
}
