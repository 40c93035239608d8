import { Container } from "./container.js";
import type { PickleMachine } from "./machine.js";
import { Op } from "./opcodes.js";
import type { PickleReader } from "./reader.js";
import {
  decodeQuotedString,
  decodeRawUnicodeEscape,
  isAscii,
  latin1,
  parseFloatArg,
  parseIntArg,
  parseLongArg,
} from "./text.js";
import { decodeUtf8 } from "./utf8.js";
import { littleEndianInt } from "./int.js";
import { PickleFloat } from "./value.js";

/**
 * Execute `op` if it pushes a scalar (None, bool, int, float, str, bytes, bytearray); return
 * whether it did. Payload lengths are checked against the input, then charged to the decode
 * budget, before any bytes are decoded or copied.
 * @internal
 */
export function readScalar(op: number, reader: PickleReader, m: PickleMachine): boolean {
  switch (op) {
    case Op.NONE:
      m.push(null);
      return true;
    case Op.NEWTRUE:
      m.push(true);
      return true;
    case Op.NEWFALSE:
      m.push(false);
      return true;
    case Op.BININT:
      m.push(reader.i32());
      return true;
    case Op.BININT1:
      m.push(reader.u8());
      return true;
    case Op.BININT2:
      m.push(reader.u16());
      return true;
    case Op.LONG1:
      m.push(littleEndianInt(payload(reader, m, reader.u8())));
      return true;
    case Op.LONG4:
      m.push(littleEndianInt(payload(reader, m, signedLength(reader))));
      return true;
    case Op.INT:
      m.push(textInt(reader, m, true));
      return true;
    case Op.LONG:
      m.push(textInt(reader, m, false));
      return true;
    case Op.BINFLOAT:
      m.push(new PickleFloat(reader.f64be()));
      return true;
    case Op.FLOAT: {
      const value = parseFloatArg(textLine(reader, m));
      if (value === undefined) throw reader.error("malformed float literal");
      m.push(new PickleFloat(value));
      return true;
    }
    case Op.SHORT_BINUNICODE:
      m.push(utf8(reader, payload(reader, m, reader.u8())));
      return true;
    case Op.BINUNICODE:
      m.push(utf8(reader, payload(reader, m, reader.u32())));
      return true;
    case Op.BINUNICODE8:
      m.push(utf8(reader, payload(reader, m, reader.u64())));
      return true;
    case Op.UNICODE: {
      const text = decodeRawUnicodeEscape(textLine(reader, m));
      if (text === undefined) throw reader.error("malformed raw-unicode-escape text");
      m.push(text);
      return true;
    }
    case Op.SHORT_BINSTRING:
      m.push(ascii(reader, payload(reader, m, reader.u8())));
      return true;
    case Op.BINSTRING:
      m.push(ascii(reader, payload(reader, m, signedLength(reader))));
      return true;
    case Op.STRING: {
      const bytes = decodeQuotedString(textLine(reader, m));
      if (bytes === undefined) throw reader.error("malformed quoted string literal");
      m.push(ascii(reader, bytes));
      return true;
    }
    case Op.SHORT_BINBYTES:
      m.push(payload(reader, m, reader.u8()).slice());
      return true;
    case Op.BINBYTES:
      m.push(payload(reader, m, reader.u32()).slice());
      return true;
    case Op.BINBYTES8:
      m.push(payload(reader, m, reader.u64()).slice());
      return true;
    case Op.BYTEARRAY8:
      m.push(Container.bytearray(payload(reader, m, reader.u64()).slice()));
      return true;
    default:
      return false;
  }
}

/** A protocol-0 text argument, charged to the budget before it is turned into a string. */
export function textLine(reader: PickleReader, m: PickleMachine): Uint8Array {
  const line = reader.line();
  m.charge(line.length);
  return line;
}

/** Check `length` against the input, charge it, and return the bytes as a view. */
function payload(reader: PickleReader, m: PickleMachine, length: number): Uint8Array {
  const bytes = reader.take(length);
  m.charge(length);
  return bytes;
}

function signedLength(reader: PickleReader): number {
  const length = reader.i32();
  if (length < 0) throw reader.error(`negative byte count ${length}`);
  return length;
}

function utf8(reader: PickleReader, bytes: Uint8Array): string {
  const text = decodeUtf8(bytes);
  if (text === undefined) throw reader.error("str payload is not valid UTF-8");
  return text;
}

/** Python 2 `str` payloads (STRING, BINSTRING): decoded as ASCII, like Python 3's default. */
function ascii(reader: PickleReader, bytes: Uint8Array): string {
  if (!isAscii(bytes)) {
    throw reader.error("Python 2 str payload is not ASCII (Python 3 would refuse it too)");
  }
  return latin1(bytes);
}

/** INT (which also spells True/False as 01/00 in protocol 0) and LONG (optional trailing L). */
function textInt(
  reader: PickleReader,
  m: PickleMachine,
  isIntOpcode: boolean,
): number | bigint | boolean {
  const line = textLine(reader, m);
  const value = isIntOpcode ? parseIntArg(line) : parseLongArg(line);
  if (value === undefined) throw reader.error("malformed int literal");
  return value;
}
