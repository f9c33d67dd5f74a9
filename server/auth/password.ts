import { randomBytes } from 'node:crypto';
import { argon2id, argon2Verify } from 'hash-wasm';

/**
 * argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane), as standard PHC strings
 * (`$argon2id$v=19$m=19456,t=2,p=1$…`) that carry their own parameters. `hash-wasm` runs argon2 as WebAssembly:
 * no native addon to compile or to load (the prebuilt `argon2` addon crashed on load on these machines).
 */
const PARAMS = { parallelism: 1, iterations: 2, memorySize: 19456, hashLength: 32 } as const;

/** Password policy (also enforced by the GraphQL inputs): at least 8 characters, with letters and digits. */
export const PASSWORD_MAX_LENGTH = 128;
export const PASSWORD_PATTERN = /^(?=.*[A-Za-z])(?=.*\d).{8,128}$/s;
export const PASSWORD_POLICY_ZH = '密码至少 8 位，且须同时包含字母和数字';

export function hashPassword(password: string): Promise<string> {
  return argon2id({ ...PARAMS, password, salt: randomBytes(16), outputType: 'encoded' });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  if (!hash.startsWith('$argon2')) return false;
  try {
    return await argon2Verify({ password, hash });
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/** A real hash to verify against when the user does not exist, so unknown users take as long as wrong passwords. */
export function dummyHash(): Promise<string> {
  return (dummy ??= hashPassword('matrix-planner-no-such-user-0'));
}
