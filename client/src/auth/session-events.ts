/** A tiny bus between the Apollo error link (outside React) and the session provider (inside it). */
type Listener = () => void;
const listeners = new Set<Listener>();

export function onUnauthenticated(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function emitUnauthenticated(): void {
  for (const l of [...listeners]) l();
}
