import type { LedgerEvent } from '../generated/prisma/enums.ts';
import { actorColumns } from './actor.ts';
import {
  InsufficientCredits,
  InvalidInput,
  NotFound,
  PackageExhausted,
  PackageExpired,
  SessionTypeArchived,
} from './errors.ts';
import type { TeamWrite } from './team-write.ts';

export interface PackageState {
  id: string;
  name: string;
  totalCredits: number;
  remainingCredits: number;
  expiresOn: Date | null;
  expiredAt: Date | null;
  sessionTypeId: string | null;
  sessionTypeArchived: boolean;
  createdAt: Date;
}

/** A package is expired from the start of its expiry day, even before the job writes EXPIRED. */
export function isExpired(pkg: Pick<PackageState, 'expiresOn' | 'expiredAt'>, now: Date): boolean {
  return pkg.expiredAt != null || (pkg.expiresOn != null && pkg.expiresOn.getTime() <= now.getTime());
}

/** First-expiring-first-out, then oldest first. */
export function fefo(a: PackageState, b: PackageState): number {
  const ea = a.expiresOn?.getTime() ?? Number.POSITIVE_INFINITY;
  const eb = b.expiresOn?.getTime() ?? Number.POSITIVE_INFINITY;
  return ea - eb || a.createdAt.getTime() - b.createdAt.getTime();
}

/**
 * One client's packages as seen inside a team write (the team lock is held, so nothing else
 * changes them). Every credit movement goes through `move`, which writes the ledger entry and
 * the package's new remaining together.
 */
export class ClientCredits {
  private constructor(
    private readonly w: TeamWrite,
    readonly client: { id: string; billingType: string; archivedAt: Date | null },
    readonly packages: PackageState[],
  ) {}

  static async load(w: TeamWrite, clientId: string): Promise<ClientCredits> {
    const client = await w.tx.client.findFirst({
      where: { id: clientId, teamId: w.team.id },
      select: { id: true, billingType: true, archivedAt: true },
    });
    if (!client) throw new NotFound('Client', clientId);
    const rows = await w.tx.package.findMany({
      where: { clientId },
      select: {
        id: true,
        name: true,
        totalCredits: true,
        remainingCredits: true,
        expiresOn: true,
        expiredAt: true,
        sessionTypeId: true,
        createdAt: true,
        sessionType: { select: { archivedAt: true } },
      },
    });
    const packages = rows.map(({ sessionType, ...p }) => ({
      ...p,
      sessionTypeArchived: sessionType?.archivedAt != null,
    }));
    return new ClientCredits(w, client, packages);
  }

  /** Total remaining credits over the client's active (unexpired) packages. */
  balance(): number {
    return this.packages.filter((p) => !isExpired(p, this.w.now)).reduce((sum, p) => sum + p.remainingCredits, 0);
  }

  /** Packages that can pay for a session of this type (null = any type), in FEFO order. */
  usable(sessionTypeId: string | null): PackageState[] {
    return this.packages
      .filter(
        (p) =>
          p.remainingCredits > 0 &&
          !isExpired(p, this.w.now) &&
          !p.sessionTypeArchived &&
          (sessionTypeId == null || p.sessionTypeId == null || p.sessionTypeId === sessionTypeId),
      )
      .sort(fefo);
  }

  balanceFor(sessionTypeId: string | null): number {
    return this.usable(sessionTypeId).reduce((sum, p) => sum + p.remainingCredits, 0);
  }

  get(packageId: string): PackageState {
    const pkg = this.packages.find((p) => p.id === packageId);
    if (!pkg) throw new NotFound('Package', packageId);
    return pkg;
  }

  /** The package a session of this type takes its credit from: the named one, checked, or FEFO. */
  choose(sessionTypeId: string | null, packageId: string | null | undefined): PackageState {
    if (packageId == null) {
      const pkg = this.usable(sessionTypeId)[0];
      if (!pkg) throw new InsufficientCredits(0, 1, sessionTypeId);
      return pkg;
    }
    const pkg = this.get(packageId);
    if (isExpired(pkg, this.w.now)) throw new PackageExpired(pkg.id, pkg.expiresOn ?? pkg.expiredAt ?? this.w.now);
    if (pkg.sessionTypeArchived && pkg.sessionTypeId) throw new SessionTypeArchived(pkg.sessionTypeId);
    if (sessionTypeId != null && pkg.sessionTypeId != null && pkg.sessionTypeId !== sessionTypeId) {
      throw new InvalidInput('packageId', 'That package is for another session type.');
    }
    if (pkg.remainingCredits === 0) throw new PackageExhausted(pkg.id);
    return pkg;
  }

  /** Adds a package (already inserted) so later moves in this write can see it. */
  track(pkg: PackageState): void {
    this.packages.push(pkg);
  }

  /**
   * Moves `amount` credits on one package and appends the ledger entry that explains it.
   * The conditional UPDATE is a second guard behind the team lock: remaining never leaves
   * [0, total] (the table's CHECKs are the third).
   */
  async move(
    pkg: PackageState,
    event: LedgerEvent,
    amount: number,
    extra: {
      sessionId?: string | null;
      sessionTypeId?: string | null;
      note?: string | null;
      reversesId?: string | null;
    } = {},
  ): Promise<{ id: string; sequence: number }> {
    const { tx } = this.w;
    if (amount !== 0) {
      const updated = await tx.package.updateMany({
        where: {
          id: pkg.id,
          remainingCredits: amount < 0 ? { gte: -amount } : { lte: pkg.totalCredits - amount },
        },
        data: { remainingCredits: { increment: amount } },
      });
      if (updated.count !== 1) throw new PackageExhausted(pkg.id);
      pkg.remainingCredits += amount;
    }
    const entry = await tx.ledgerEntry.create({
      data: {
        teamId: this.w.team.id,
        sequence: this.w.nextSequence(),
        clientId: this.client.id,
        packageId: pkg.id,
        sessionTypeId: extra.sessionTypeId ?? pkg.sessionTypeId,
        sessionId: extra.sessionId ?? null,
        event,
        amount,
        balanceAfter: this.balance(),
        note: extra.note ?? null,
        reversesId: extra.reversesId ?? null,
        createdAt: this.w.now,
        ...actorColumns(this.w.actor),
      },
      select: { id: true, sequence: true },
    });
    this.w.entries.push(event);
    return entry;
  }
}
