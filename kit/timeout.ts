/**
 * `promise`, or a rejection with `message` once `ms` milliseconds pass first. The work itself is
 * not cancelled (a postgres.js statement or a queue call cannot be): the caller stops waiting.
 */
export function withTimeout<T>(promise: PromiseLike<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([Promise.resolve(promise), expiry]).finally(() => clearTimeout(timer));
}
