/**
 * UTF-8 as pickle uses it: Python encodes `str` with `"surrogatepass"`, so a lone surrogate
 * (legal in both a Python `str` and a JS string) travels as its 3-byte form ED A0..BF xx. The
 * platform TextEncoder/TextDecoder would replace it with U+FFFD; these functions keep it.
 * @internal
 */

// ignoreBOM: a leading U+FEFF is text, not a byte-order mark to strip.
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();
// In a /u regex a surrogate class matches only unpaired surrogates.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const SHORT_STRING = 32;
const CHUNK = 0x2000;

/** Decode UTF-8 (surrogates allowed); `undefined` when the bytes are not valid. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  if (bytes.length <= SHORT_STRING) {
    // Short keys dominate control replies; a plain loop beats TextDecoder's call overhead.
    let text = "";
    for (const byte of bytes) {
      if (byte >= 0x80) return decodeGeneral(bytes);
      text += String.fromCharCode(byte);
    }
    return text;
  }
  return decodeGeneral(bytes);
}

function decodeGeneral(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return decodeSurrogatePass(bytes);
  }
}

/** The slow path: a hand-written decoder that also accepts encoded surrogates. */
function decodeSurrogatePass(bytes: Uint8Array): string | undefined {
  const units: number[] = [];
  let text = "";
  let i = 0;
  const n = bytes.length;
  const cont = (k: number): number => {
    const b = k < n ? (bytes[k] as number) : 0;
    return (b & 0xc0) === 0x80 ? b & 0x3f : -1;
  };
  while (i < n) {
    const b0 = bytes[i] as number;
    let cp: number;
    if (b0 < 0x80) {
      cp = b0;
      i += 1;
    } else if (b0 >= 0xc2 && b0 < 0xe0) {
      const c1 = cont(i + 1);
      if (c1 < 0) return undefined;
      cp = ((b0 & 0x1f) << 6) | c1;
      i += 2;
    } else if (b0 >= 0xe0 && b0 < 0xf0) {
      const c1 = cont(i + 1);
      const c2 = cont(i + 2);
      if (c1 < 0 || c2 < 0) return undefined;
      cp = ((b0 & 0x0f) << 12) | (c1 << 6) | c2;
      if (cp < 0x800) return undefined; // overlong
      i += 3;
    } else if (b0 >= 0xf0 && b0 < 0xf5) {
      const c1 = cont(i + 1);
      const c2 = cont(i + 2);
      const c3 = cont(i + 3);
      if (c1 < 0 || c2 < 0 || c3 < 0) return undefined;
      cp = ((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
      if (cp < 0x10000 || cp > 0x10ffff) return undefined;
      i += 4;
    } else {
      return undefined;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      units.push(0xd800 | (cp >> 10), 0xdc00 | (cp & 0x3ff));
    } else {
      units.push(cp);
    }
    if (units.length >= CHUNK) {
      text += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  return text + String.fromCharCode(...units);
}

/** Encode a JS string as Python's `str.encode("utf-8", "surrogatepass")` would. */
export function encodeUtf8(text: string): Uint8Array {
  if (!LONE_SURROGATE.test(text)) return encoder.encode(text);
  const out = new Uint8Array(text.length * 3);
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low < 0xe000) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (cp < 0x80) {
      out[o++] = cp;
    } else if (cp < 0x800) {
      out[o++] = 0xc0 | (cp >> 6);
      out[o++] = 0x80 | (cp & 0x3f);
    } else if (cp < 0x10000) {
      out[o++] = 0xe0 | (cp >> 12);
      out[o++] = 0x80 | ((cp >> 6) & 0x3f);
      out[o++] = 0x80 | (cp & 0x3f);
    } else {
      out[o++] = 0xf0 | (cp >> 18);
      out[o++] = 0x80 | ((cp >> 12) & 0x3f);
      out[o++] = 0x80 | ((cp >> 6) & 0x3f);
      out[o++] = 0x80 | (cp & 0x3f);
    }
  }
  return out.subarray(0, o);
}
