import argon2 from 'argon2';

/** argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane). Parameters are stored in each hash. */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** Password policy (also enforced by the GraphQL inputs): at least 8 characters, with letters and digits. */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;
export const PASSWORD_PATTERN = /^(?=.*[A-Za-z])(?=.*\d).{8,128}$/s;
export const PASSWORD_POLICY_ZH = '密码至少 8 位，且须同时包含字母和数字';

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  if (!hash.startsWith('$argon2')) return false;
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/** A real hash to verify against when the user does not exist, so unknown users take as long as wrong passwords. */
export function dummyHash(): Promise<string> {
  return (dummy ??= hashPassword('matrix-planner-no-such-user-0'));
}
