import * as E from '../server/ledger/errors.ts';
import { builder } from './builder.ts';
import { globalId } from './ids.ts';

/**
 * Domain refusals as typed results. Every mutation's result is a union of its payload and the
 * errors it can give; all of them implement `Error`, so `... on Error { code message }` always
 * works and a client can switch on `__typename` for details (e.g. InsufficientCredits.balance).
 */
export const ErrorInterface = builder.interfaceRef<E.DomainError>('Error').implement({
  // Each error's GraphQL type is named by its code.
  resolveType: (error) => error.code,
  fields: (t) => ({
    code: t.exposeString('code'),
    message: t.exposeString('message'),
  }),
});

const base = { interfaces: [ErrorInterface] };

export const NotFound = E.NotFound;
builder.objectType(E.NotFound, {
  ...base,
  name: 'NotFound',
  fields: (t) => ({ entity: t.exposeString('entity'), id: t.id({ resolve: (e) => globalId(e.entity, e.id) }) }),
});
export const Forbidden = E.Forbidden;
builder.objectType(E.Forbidden, { ...base, name: 'Forbidden', fields: () => ({}) });
export const Unauthenticated = E.Unauthenticated;
builder.objectType(E.Unauthenticated, { ...base, name: 'Unauthenticated', fields: () => ({}) });
export const InvalidInput = E.InvalidInput;
builder.objectType(E.InvalidInput, {
  ...base,
  name: 'InvalidInput',
  fields: (t) => ({ field: t.exposeString('field', { description: 'The input field that was refused.' }) }),
});
export const InsufficientCredits = E.InsufficientCredits;
builder.objectType(E.InsufficientCredits, {
  ...base,
  name: 'InsufficientCredits',
  fields: (t) => ({
    balance: t.exposeInt('balance', { description: 'Usable credits the client has for this session type now.' }),
    required: t.exposeInt('required'),
    sessionTypeId: t.id({
      nullable: true,
      resolve: (e) => (e.sessionTypeId ? globalId('SessionType', e.sessionTypeId) : null),
    }),
  }),
});
export const PackageExpired = E.PackageExpired;
builder.objectType(E.PackageExpired, {
  ...base,
  name: 'PackageExpired',
  fields: (t) => ({
    packageId: t.id({ resolve: (e) => globalId('Package', e.packageId) }),
    expiresOn: t.expose('expiresOn', { type: 'Date' }),
  }),
});
export const PackageExhausted = E.PackageExhausted;
builder.objectType(E.PackageExhausted, {
  ...base,
  name: 'PackageExhausted',
  fields: (t) => ({ packageId: t.id({ resolve: (e) => globalId('Package', e.packageId) }) }),
});
export const SessionTypeArchived = E.SessionTypeArchived;
builder.objectType(E.SessionTypeArchived, {
  ...base,
  name: 'SessionTypeArchived',
  fields: (t) => ({ sessionTypeId: t.id({ resolve: (e) => globalId('SessionType', e.sessionTypeId) }) }),
});
export const SessionTypeLocked = E.SessionTypeLocked;
builder.objectType(E.SessionTypeLocked, {
  ...base,
  name: 'SessionTypeLocked',
  fields: (t) => ({ sessionTypeId: t.id({ resolve: (e) => globalId('SessionType', e.sessionTypeId) }) }),
});
export const SessionTypeNameTaken = E.SessionTypeNameTaken;
builder.objectType(E.SessionTypeNameTaken, {
  ...base,
  name: 'SessionTypeNameTaken',
  fields: (t) => ({ sessionTypeName: t.exposeString('sessionTypeName', { description: 'The name already in use.' }) }),
});
export const NoteTooLong = E.NoteTooLong;
builder.objectType(E.NoteTooLong, {
  ...base,
  name: 'NoteTooLong',
  fields: (t) => ({ length: t.exposeInt('length'), maxLength: t.exposeInt('maxLength') }),
});
export const AlreadyUndone = E.AlreadyUndone;
builder.objectType(E.AlreadyUndone, {
  ...base,
  name: 'AlreadyUndone',
  fields: (t) => ({ sessionId: t.id({ resolve: (e) => globalId('Session', e.sessionId) }) }),
});
export const SessionNotBooked = E.SessionNotBooked;
builder.objectType(E.SessionNotBooked, {
  ...base,
  name: 'SessionNotBooked',
  fields: (t) => ({
    sessionId: t.id({ resolve: (e) => globalId('Session', e.sessionId) }),
    status: t.exposeString('status'),
  }),
});
export const IdempotencyKeyReused = E.IdempotencyKeyReused;
builder.objectType(E.IdempotencyKeyReused, {
  ...base,
  name: 'IdempotencyKeyReused',
  fields: (t) => ({ key: t.exposeString('key') }),
});
export const EmailTaken = E.EmailTaken;
builder.objectType(E.EmailTaken, { ...base, name: 'EmailTaken', fields: () => ({}) });
export const InvalidCredentials = E.InvalidCredentials;
builder.objectType(E.InvalidCredentials, { ...base, name: 'InvalidCredentials', fields: () => ({}) });

export const RateLimited = E.RateLimited;
builder.objectType(E.RateLimited, {
  ...base,
  name: 'RateLimited',
  fields: (t) => ({ retryAfterSeconds: t.exposeInt('retryAfterSeconds') }),
});

/** Every mutation can be refused for these reasons. */
export const COMMON_ERRORS = [Unauthenticated, Forbidden, NotFound, InvalidInput];
/** And these, for mutations that move credits. */
export const CREDIT_ERRORS = [
  ...COMMON_ERRORS,
  InsufficientCredits,
  PackageExpired,
  PackageExhausted,
  SessionTypeArchived,
  NoteTooLong,
  IdempotencyKeyReused,
];

/** For results that carry an error as data (bulk items): pothos must wrap it to resolve its type. */
export const ALL_ERRORS = [
  ...CREDIT_ERRORS,
  SessionTypeLocked,
  AlreadyUndone,
  SessionNotBooked,
  EmailTaken,
  InvalidCredentials,
  RateLimited,
];
