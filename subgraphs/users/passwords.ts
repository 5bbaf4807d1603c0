export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

/** Argon2id through Bun's built-in implementation (no native addon to build). */
export const hashPassword = (password: string) => Bun.password.hash(password, { algorithm: 'argon2id' });
export const verifyPassword = (password: string, hash: string) => Bun.password.verify(password, hash);

/**
 * Verified against when the e-mail is unknown, so a failed sign-in takes the same time whether or
 * not the account exists (no user enumeration by timing).
 */
export const DUMMY_HASH = await hashPassword('not-a-real-password-0000');
