/**
 * Field parsers for configuration values.
 *
 * Values reach us as typed JSON (a config file, cdk.json) or as strings (`-c key=value`
 * on the command line), so every parser accepts both forms and says, when it refuses a
 * value, what it would have accepted. That sentence ends up in the synth error.
 */

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false };

/** One configuration key: how to read it and how to describe what it accepts. */
export interface FieldSpec<T> {
  /** What the key does, for the README and `--help`-style listings. */
  readonly description: string;
  /** Human-readable set of accepted values, used verbatim in error messages. */
  readonly allowed: string;
  /** The default value; `undefined` means "not set". */
  readonly default: T;
  /** Turns a raw value into a typed one, or refuses it. */
  readonly parse: (raw: unknown) => ParseResult<T>;
}

const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
const refused = { ok: false } as const;

/** An integer in [min, max]; accepts numbers and decimal strings such as "5". */
export function integer(
  description: string,
  defaultValue: number,
  min: number,
  max: number,
): FieldSpec<number> {
  return {
    description,
    allowed: `an integer from ${min} to ${max}`,
    default: defaultValue,
    parse: (raw) => {
      const n = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
      return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max ? ok(n) : refused;
    },
  };
}

/** An integer from a fixed set (e.g. the retention periods CloudWatch Logs accepts). */
export function integerOf(description: string, defaultValue: number, values: readonly number[]): FieldSpec<number> {
  return {
    description,
    allowed: `one of ${values.join(', ')}`,
    default: defaultValue,
    parse: (raw) => {
      const n = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
      return typeof n === 'number' && values.includes(n) ? ok(n) : refused;
    },
  };
}

/** A finite number in (exclusiveMin, max]; accepts numbers and decimal strings such as "2.5". */
export function positiveNumber(description: string, defaultValue: number, max: number): FieldSpec<number> {
  return {
    description,
    allowed: `a number greater than 0 and at most ${max}`,
    default: defaultValue,
    parse: (raw) => {
      const n = typeof raw === 'string' && /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw.trim()) : raw;
      return typeof n === 'number' && Number.isFinite(n) && n > 0 && n <= max ? ok(n) : refused;
    },
  };
}

/** `true`/`false`; the strings "true"/"false" (any case) are accepted too. */
export function boolean(description: string, defaultValue: boolean): FieldSpec<boolean> {
  return {
    description,
    allowed: 'true or false',
    default: defaultValue,
    parse: (raw) => {
      if (typeof raw === 'boolean') return ok(raw);
      if (typeof raw === 'string' && /^(true|false)$/i.test(raw.trim())) {
        return ok(raw.trim().toLowerCase() === 'true');
      }
      return refused;
    },
  };
}

/** One of a fixed set of strings (exact match). */
export function oneOf<T extends string>(
  description: string,
  defaultValue: T,
  values: readonly T[],
): FieldSpec<T> {
  return {
    description,
    allowed: `one of ${values.map((v) => `"${v}"`).join(', ')}`,
    default: defaultValue,
    parse: (raw) =>
      typeof raw === 'string' && (values as readonly string[]).includes(raw) ? ok(raw as T) : refused,
  };
}

/** A string matching `pattern`, whose description is given as `allowed`. */
export function text(
  description: string,
  defaultValue: string,
  pattern: RegExp,
  allowed: string,
): FieldSpec<string> {
  return {
    description,
    allowed,
    default: defaultValue,
    parse: (raw) => (typeof raw === 'string' && pattern.test(raw) ? ok(raw) : refused),
  };
}

/** Like `text`, but the key may be left unset (an empty string also means unset). */
export function optionalText(
  description: string,
  pattern: RegExp,
  allowed: string,
): FieldSpec<string | undefined> {
  return {
    description,
    allowed: `${allowed}, or empty to leave it unset`,
    default: undefined,
    parse: (raw) => {
      if (raw === undefined || raw === null || raw === '') return ok(undefined);
      return typeof raw === 'string' && pattern.test(raw) ? ok(raw) : refused;
    },
  };
}

/**
 * A list whose items each match `item`. Accepts a JSON array or a comma-separated string
 * ("a,b"); an empty string or "none" is the empty list. Duplicates are removed.
 */
export function list<T extends string>(
  description: string,
  defaultValue: readonly T[],
  item: (s: string) => s is T,
  itemAllowed: string,
  maxItems: number,
): FieldSpec<readonly T[]> {
  return {
    description,
    allowed: `a comma-separated list (or JSON array) of at most ${maxItems} ${itemAllowed}; empty or "none" for no items`,
    default: defaultValue,
    parse: (raw) => {
      let items: unknown[];
      if (Array.isArray(raw)) {
        items = raw;
      } else if (typeof raw === 'string') {
        const trimmed = raw.trim();
        items = trimmed === '' || trimmed.toLowerCase() === 'none' ? [] : trimmed.split(',').map((s) => s.trim());
      } else {
        return refused;
      }
      if (items.length > maxItems || !items.every((i): i is T => typeof i === 'string' && item(i))) {
        return refused;
      }
      return ok([...new Set(items as T[])]);
    },
  };
}
