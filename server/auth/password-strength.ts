import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';
import { InvalidInput } from '../ledger/errors.ts';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;
/**
 * zxcvbn's scale: 0–1 fall to an online attacker within hours even when throttled (`password`,
 * `12345678`, `Password1!`, `summer2024`); 2 and up need more guesses than our login throttle allows.
 */
export const PASSWORD_MIN_SCORE = 2;

let estimator: ZxcvbnFactory | undefined;

/** The dictionaries take a moment to load: only when the first password is chosen. */
function strength() {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  });
  return estimator;
}

/**
 * A password a person chooses (sign-up, joining a team): long enough, not absurdly long, and
 * not among the common or easily guessed ones. `userInputs` (their email, name, studio) count
 * as guessable too.
 */
export function newPassword(value: string, userInputs: string[] = []): string {
  if (value.length < PASSWORD_MIN_LENGTH) {
    throw new InvalidInput('password', `Use at least ${PASSWORD_MIN_LENGTH} characters.`);
  }
  if (value.length > PASSWORD_MAX_LENGTH) {
    throw new InvalidInput('password', `Use at most ${PASSWORD_MAX_LENGTH} characters.`);
  }
  const result = strength().check(value, userInputs);
  if (result.score < PASSWORD_MIN_SCORE) {
    const advice = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean).join(' ');
    throw new InvalidInput(
      'password',
      `This password is too easy to guess. ${advice || 'Add more words that are less common.'}`,
    );
  }
  return value;
}
