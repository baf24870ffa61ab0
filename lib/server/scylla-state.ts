import type { InjectionState } from '../injector';

/** One element of ScyllaDB's `GET /injection/{name}` answer (model `error_injection_info`). */
export interface ScyllaInjectionInfo {
  readonly enabled: boolean;
  /** Present only when enabled with at least one parameter, as in ScyllaDB (its clients check `"parameters" in`). */
  readonly parameters?: readonly { readonly key: string; readonly value: string }[];
  /** faultline's: the scopes the name is enabled in (besides any unscoped enablement); absent when none. */
  readonly scopes?: readonly string[];
}

export function toScyllaInfo(state: InjectionState): ScyllaInjectionInfo {
  const info = scyllaInfo(state);
  // Ours, after ScyllaDB's fields: the scopes the name is enabled in besides (a ScyllaDB client ignores it).
  return state.scopes === undefined ? info : { ...info, scopes: state.scopes };
}

function scyllaInfo(state: InjectionState): ScyllaInjectionInfo {
  if (!state.enabled) return { enabled: false };
  const entries = Object.entries(state.parameters);
  if (entries.length === 0) return { enabled: true };
  return { enabled: true, parameters: entries.map(([key, value]) => ({ key, value })) };
}
