// The options of an enable, defined once. The injector validates them, the shard group copies them to workers,
// the server reads them from the query, the client writes them to it, and the CLI turns them into flags: each
// of those walks ENABLE_OPTIONS instead of keeping a list of its own, and the compiler checks the table against
// the EnableOptions type (the `satisfies` below), so adding an option is one entry here, its field in
// EnableOptions, and the code that acts on it (docs/architecture.md, "Adding an enable option").
//
// It is ground floor, like event.ts: the client imports it, so it imports nothing but types.

/** How an injection is enabled: on every shard alike, from code, REST, the client or the CLI. */
export interface EnableOptions {
  /** Fire once, then disable. A one-shot handler stays reachable by messages until its function returns. */
  oneShot?: boolean;
  /** String parameters, readable by the point and sent in every event. */
  parameters?: Record<string, string>;
  /** Fire this many times, then disable (an integer >= 1). */
  count?: number;
  /** Let the first `skip` reaches of the point pass silently (an integer >= 0). */
  skip?: number;
  /** Fire on this share of reaches, 0 to 1, drawn from a generator seeded with `seed`. */
  probability?: number;
  /** Seed for `probability`; a random one is chosen (and shown by `get`) when omitted, so a run can be replayed. */
  seed?: number;
  /**
   * Fire only for reaches inside this injection scope (`runInInjectionScope`, the `injectionScope` middleware).
   * The same name may be enabled in several scopes and unscoped at once; each has its own one-shot, count, skip
   * and probability. Printable ASCII without spaces, 1 to 128 characters.
   */
  scope?: string;
}

/** The generator behind `probability` is 32-bit; larger seeds would silently alias smaller ones. */
export const MAX_SEED = 0xffffffff;

/** An option that travels as one query parameter (every option but `parameters`, which is the body). */
export interface ScalarOptionSpec {
  readonly kind: 'boolean' | 'integer' | 'fraction' | 'string';
  /** Its name in the REST query (and the CLI flag, unless `flag` says otherwise). */
  readonly query: string;
  /** The CLI flag, when it differs from `query`. */
  readonly flag?: string;
  readonly min?: number;
  readonly max?: number;
  /** What it does, in the words of `--help`. */
  readonly help: string;
  /** ScyllaDB's own option; the others are faultline's, and a ScyllaDB node ignores them. */
  readonly scylla?: true;
}

type ScalarOptionName = Exclude<keyof EnableOptions, 'parameters'>;

export const SCALAR_ENABLE_OPTIONS = {
  oneShot: { kind: 'boolean', query: 'one_shot', flag: 'one-shot', help: 'fire once, then disable', scylla: true },
  count: { kind: 'integer', query: 'count', min: 1, help: 'fire N times, then disable' },
  skip: { kind: 'integer', query: 'skip', min: 0, help: 'let the first N reaches pass' },
  probability: { kind: 'fraction', query: 'probability', min: 0, max: 1, help: 'fire on this share of reaches, 0 to 1' },
  seed: { kind: 'integer', query: 'seed', min: 0, max: MAX_SEED, help: "seed of --probability's generator, to replay a run" },
  scope: { kind: 'string', query: 'scope', help: 'fire only for reaches in this injection scope' },
} as const satisfies { readonly [K in ScalarOptionName]-?: ScalarOptionSpec };

/** The scalar options in their order (the order of `--help` and of the query a client sends). */
export const SCALAR_OPTION_NAMES = Object.keys(SCALAR_ENABLE_OPTIONS) as ScalarOptionName[];

/** Every option name an enable takes. */
export const ENABLE_OPTION_NAMES: readonly (keyof EnableOptions)[] = [...SCALAR_OPTION_NAMES, 'parameters'];

/** The spec of a scalar option, typed as the general shape (the table's literal types are for the checks above). */
export function scalarOption(name: ScalarOptionName): ScalarOptionSpec {
  return SCALAR_ENABLE_OPTIONS[name];
}

/** The options as plain data, so they can cross to a worker (a caller's object may hold anything else). */
export function copyEnableOptions(options: EnableOptions): EnableOptions {
  const out: Record<string, unknown> = {};
  for (const key of SCALAR_OPTION_NAMES) if (options[key] !== undefined) out[key] = options[key];
  if (options.parameters !== undefined) out.parameters = { ...options.parameters };
  return out as EnableOptions;
}
