/**
 * Parsers for the text arguments of protocol 0/1 opcodes (INT, LONG, FLOAT, STRING, UNICODE,
 * GET/PUT). Each returns `undefined` for text CPython would also reject, and the caller turns that
 * into a `PickleDecodeError`.
 * @internal
 */

/**
 * CPython 3.11+ refuses to parse ints of more than 4300 decimal digits
 * (`sys.get_int_max_str_digits()`); we do the same, which also keeps BigInt parsing cheap.
 */
export const MAX_INT_DIGITS = 4300;

/** C's `isspace` / CPython's `Py_ISSPACE` on ASCII. */
const SPACE = /[ \t\n\v\f\r]/;
const DIGITS: Readonly<Record<number, RegExp>> = {
  2: /[01]/,
  8: /[0-7]/,
  10: /[0-9]/,
  16: /[0-9a-fA-F]/,
};
const FLOAT_TEXT = /^[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)$/i;

/** Bytes as Latin-1 text, one char per byte (used for ASCII-only arguments). */
export function latin1(bytes: Uint8Array): string {
  if (bytes.length <= 64) {
    // Text arguments are short: a loop beats spreading a tiny typed array into a call.
    let text = "";
    for (const byte of bytes) text += String.fromCharCode(byte);
    return text;
  }
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x2000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x2000));
  }
  return text;
}

/** True when every byte is 7-bit ASCII. */
export function isAscii(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte >= 0x80) return false;
  return true;
}

/**
 * A text argument as CPython's C unpickler parses it: it copies the line into a NUL-terminated C
 * string, so a NUL byte ends the number early (`I1\x00junk` is 1).
 */
function cString(line: Uint8Array): string {
  const nul = line.indexOf(0);
  return latin1(nul < 0 ? line : line.subarray(0, nul));
}

function toIntValue(big: bigint): number | bigint {
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(big)
    : big;
}

/**
 * INT: CPython tries C `strtol(s, &end, 0)` (so `010` is octal 8 and `0x10` is 16) and, when that
 * overflows or leaves text over, `int(s, 0)`. A two-character line that reads as 0 or 1 is a
 * bool: protocol 0 spells True and False `I01` and `I00`.
 */
export function parseIntArg(line: Uint8Array): number | bigint | boolean | undefined {
  if (line.length === 0) return undefined;
  const plain = plainDecimal(line);
  if (plain !== undefined) return plain;
  const text = cString(line);
  const value = strtol(text);
  if (value === undefined) return pyLongFromString(text, 0);
  if (line.length === 2 && (value === 0 || value === 1)) return value === 1;
  return value;
}

/**
 * The common case, `-?[1-9][0-9]{0,14}` or `0` (what CPython writes), read straight from the
 * bytes. Both strtol and int() give the same value for it, and it is never a bool.
 */
function plainDecimal(line: Uint8Array): number | undefined {
  const negative = line[0] === 0x2d;
  const start = negative ? 1 : 0;
  const length = line.length - start;
  if (length < 1 || length > 15 || (line[start] === 0x30 && length > 1)) return undefined;
  if (line.length === 2) return undefined; // "00", "01", "-0", "+1": CPython reads these as bools
  let value = 0;
  for (let i = start; i < line.length; i++) {
    const digit = (line[i] as number) - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

/** LONG: a trailing `L` (Python 2's long suffix) is dropped, then `int(s, 0)`. */
export function parseLongArg(line: Uint8Array): number | bigint | undefined {
  if (line.length === 0) return undefined;
  const body = line.at(-1) === 0x4c ? line.subarray(0, -1) : line;
  return pyLongFromString(cString(body), 0);
}

/** GET/PUT: `int(s, 10)` (whitespace, sign, leading zeros and underscores allowed). */
export function parseMemoIndexArg(line: Uint8Array): number | bigint | undefined {
  if (line.length === 0) return undefined;
  return pyLongFromString(cString(line), 10);
}

/**
 * FLOAT: `PyOS_string_to_double` — no surrounding whitespace, `inf`/`nan` in any case, and a
 * finite literal too large for a double is an error (CPython raises OverflowError).
 */
export function parseFloatArg(line: Uint8Array): number | undefined {
  const text = cString(line);
  if (!FLOAT_TEXT.test(text)) return undefined;
  const lower = text.toLowerCase().replace(/^\+/, "");
  if (lower.endsWith("nan")) return NaN;
  if (lower.endsWith("inf") || lower.endsWith("infinity")) {
    return lower.startsWith("-") ? -Infinity : Infinity;
  }
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** C `strtol(text, &end, 0)`: the value if it fits a 64-bit long and consumes all of `text`. */
function strtol(text: string): number | bigint | undefined {
  let i = 0;
  while (i < text.length && SPACE.test(text.charAt(i))) i++;
  let negative = false;
  if (text[i] === "+" || text[i] === "-") negative = text[i++] === "-";
  let base = 10;
  if (text[i] === "0" && (text[i + 1] === "x" || text[i + 1] === "X") && isDigit(text[i + 2], 16)) {
    base = 16;
    i += 2;
  } else if (text[i] === "0") {
    base = 8;
  }
  const start = i;
  while (isDigit(text[i], base)) i++;
  // No digits at all: strtol returns 0 with end at the start, which CPython accepts only if the
  // text is empty (a line cut short by a NUL).
  if (i === start) return text.length === 0 ? 0 : undefined;
  if (i !== text.length) return undefined;
  const prefix = base === 16 ? "0x" : base === 8 ? "0o" : "";
  let value = BigInt(prefix + text.slice(start, i));
  if (negative) value = -value;
  if (value < -(2n ** 63n) || value >= 2n ** 63n) return undefined; // overflow: int() decides
  return toIntValue(value);
}

/** CPython's `PyLong_FromString(text, NULL, base)` for base 0 or 10. */
function pyLongFromString(text: string, base: 0 | 10): number | bigint | undefined {
  let i = 0;
  const end = text.replace(/[ \t\n\v\f\r]+$/, "").length;
  while (i < end && SPACE.test(text.charAt(i))) i++;
  let negative = false;
  if (text[i] === "+" || text[i] === "-") negative = text[i++] === "-";
  let radix = 10;
  let prefixed = false;
  if (base === 0 && text[i] === "0") {
    const marker = (text[i + 1] ?? "").toLowerCase();
    radix = marker === "x" ? 16 : marker === "o" ? 8 : marker === "b" ? 2 : 10;
    prefixed = radix !== 10;
    if (prefixed) i += 2;
  }
  if (prefixed && text[i] === "_") i++; // one underscore may follow the prefix
  let digits = "";
  while (i < end) {
    const ch = text.charAt(i);
    if (isDigit(ch, radix)) {
      digits += ch;
      i++;
    } else if (ch === "_" && digits !== "" && isDigit(text[i + 1], radix)) {
      i++;
    } else {
      return undefined;
    }
  }
  if (digits === "") return undefined;
  if (
    base === 0 &&
    radix === 10 &&
    digits.length > 1 &&
    digits.startsWith("0") &&
    /[1-9]/.test(digits)
  ) {
    return undefined; // "leading zeros in decimal integer literals are not permitted"
  }
  if (radix === 10 && digits.length > MAX_INT_DIGITS) return undefined;
  const prefix = radix === 16 ? "0x" : radix === 8 ? "0o" : radix === 2 ? "0b" : "";
  const value = BigInt(prefix + digits);
  return toIntValue(negative ? -value : value);
}

function isDigit(ch: string | undefined, radix: number): boolean {
  return ch !== undefined && ch.length === 1 && (DIGITS[radix] as RegExp).test(ch);
}

/**
 * The UNICODE argument: Python's `raw-unicode-escape`, i.e. Latin-1 bytes in which an odd run of
 * backslashes followed by `u`+4 hex or `U`+8 hex digits is an escape.
 */
export function decodeRawUnicodeEscape(bytes: Uint8Array): string | undefined {
  const parts: string[] = [];
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    if (bytes[i] !== 0x5c) {
      i++;
      continue;
    }
    let run = i;
    while (run < bytes.length && bytes[run] === 0x5c) run++;
    const marker = bytes[run];
    if ((run - i) % 2 === 0 || (marker !== 0x75 && marker !== 0x55)) {
      i = run;
      continue;
    }
    const width = marker === 0x75 ? 4 : 8;
    const hex = latin1(bytes.subarray(run + 1, run + 1 + width));
    if (hex.length !== width || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) return undefined;
    parts.push(latin1(bytes.subarray(start, run - 1)), String.fromCodePoint(code));
    i = run + 1 + width;
    start = i;
  }
  parts.push(latin1(bytes.subarray(start)));
  return parts.join("");
}

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  "\\": 0x5c,
  "'": 0x27,
  '"': 0x22,
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
};

/**
 * The STRING argument: a quoted Python 2 `repr` of a byte string, unescaped as CPython's
 * `codecs.escape_decode` does (`\\xhh`, octal `\\ooo`, the C escapes, backslash-newline; an
 * unknown escape stays as written).
 */
export function decodeQuotedString(bytes: Uint8Array): Uint8Array | undefined {
  const first = bytes[0];
  if (bytes.length < 2 || (first !== 0x22 && first !== 0x27) || bytes.at(-1) !== first) {
    return undefined;
  }
  const body = bytes.subarray(1, -1);
  const out = new Uint8Array(body.length);
  let o = 0;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i] as number;
    if (byte !== 0x5c) {
      out[o++] = byte;
      continue;
    }
    if (++i >= body.length) return undefined; // trailing backslash
    const next = String.fromCharCode(body[i] as number);
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out[o++] = simple;
    } else if (next === "\n") {
      // Line continuation: both characters vanish.
    } else if (next === "x") {
      const hex = latin1(body.subarray(i + 1, i + 3));
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      out[o++] = parseInt(hex, 16);
      i += 2;
    } else if (next >= "0" && next <= "7") {
      let value = 0;
      let digits = 0;
      for (let d = body[i] ?? 0; digits < 3 && d >= 0x30 && d <= 0x37; d = body[i] ?? 0) {
        value = value * 8 + (d - 0x30);
        i++;
        digits++;
      }
      i--;
      out[o++] = value & 0xff;
    } else {
      out[o++] = 0x5c;
      out[o++] = body[i] as number;
    }
  }
  return out.subarray(0, o);
}
