/**
 * Every refusal the domain can give, named by what happened (TigerBeetle style). The GraphQL
 * layer exposes each class as a typed error so API clients can switch on `__typename`/`code`.
 * A refused operation has written nothing: each is thrown before (or rolls back) the write.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
}

export class NotFound extends DomainError {
  readonly code = 'NotFound';
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${id} was not found.`);
  }
}

export class Forbidden extends DomainError {
  readonly code = 'Forbidden';
  constructor(message = 'You are not allowed to do that.') {
    super(message);
  }
}

export class Unauthenticated extends DomainError {
  readonly code = 'Unauthenticated';
  constructor(message = 'Log in (or send an API key) first.') {
    super(message);
  }
}

export class InvalidInput extends DomainError {
  readonly code = 'InvalidInput';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export class InsufficientCredits extends DomainError {
  readonly code = 'InsufficientCredits';
  constructor(
    /** Usable credits the client has for the session type right now. */
    readonly balance: number,
    readonly required: number,
    readonly sessionTypeId: string | null,
  ) {
    super(
      `Not enough credits: the client has ${balance} usable credit${balance === 1 ? '' : 's'} and this needs ${required}.`,
    );
  }
}

export class PackageExpired extends DomainError {
  readonly code = 'PackageExpired';
  constructor(
    readonly packageId: string,
    readonly expiresOn: Date,
  ) {
    super(`The package expired on ${expiresOn.toISOString().slice(0, 10)}; its credits can no longer be used.`);
  }
}

export class PackageExhausted extends DomainError {
  readonly code = 'PackageExhausted';
  constructor(readonly packageId: string) {
    super('The package has no credits left.');
  }
}

export class SessionTypeArchived extends DomainError {
  readonly code = 'SessionTypeArchived';
  constructor(readonly sessionTypeId: string) {
    super('The session type is archived: its credits stay visible but cannot be issued or used.');
  }
}

export class SessionTypeLocked extends DomainError {
  readonly code = 'SessionTypeLocked';
  constructor(readonly sessionTypeId: string) {
    super('"Requires credits" cannot change once sessions of this type exist.');
  }
}

export class SessionTypeNameTaken extends DomainError {
  readonly code = 'SessionTypeNameTaken';
  constructor(readonly sessionTypeName: string) {
    super(`The team already has a session type named "${sessionTypeName}" (names are compared ignoring case).`);
  }
}

/** A note over its field's limit (server/ledger/limits.ts: entry notes and session notes differ). */
export class NoteTooLong extends DomainError {
  readonly code = 'NoteTooLong';
  constructor(
    readonly length: number,
    readonly maxLength: number,
  ) {
    super(`Notes can be at most ${maxLength} characters (this one has ${length}).`);
  }
}

export class AlreadyUndone extends DomainError {
  readonly code = 'AlreadyUndone';
  constructor(readonly sessionId: string) {
    super('This session was already undone.');
  }
}

export class SessionNotBooked extends DomainError {
  readonly code = 'SessionNotBooked';
  constructor(
    readonly sessionId: string,
    readonly status: string,
  ) {
    super(`Only a booked session can be cancelled; this one is ${status}.`);
  }
}

export class IdempotencyKeyReused extends DomainError {
  readonly code = 'IdempotencyKeyReused';
  constructor(readonly key: string) {
    super('This idempotency key was already used with different input.');
  }
}

export class EmailTaken extends DomainError {
  readonly code = 'EmailTaken';
  constructor() {
    super('An account with this email already exists; log in instead.');
  }
}

export class InvalidCredentials extends DomainError {
  readonly code = 'InvalidCredentials';
  constructor() {
    super('Email or password is wrong.');
  }
}

export class RateLimited extends DomainError {
  readonly code = 'RateLimited';
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many requests. Try again in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}.`);
  }
}
