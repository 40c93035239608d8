/**
 * The decoded size a zstd frame declares in its header (RFC 8878 §3.1.1.1), read before the
 * frame is handed to a decompressor, so that a corrupt size is refused instead of allocated.
 */
const ZSTD_MAGIC = 0xfd2fb528;

/** The frame's Frame_Content_Size, or a reason it has none we can trust. */
export function zstdFrameContentSize(frame: Uint8Array): number | string {
  if (frame.byteLength < 6) return `${frame.byteLength} bytes, shorter than a zstd frame header`;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (view.getUint32(0, true) !== ZSTD_MAGIC) return "no zstd magic number";
  const descriptor = view.getUint8(4);
  const sizeFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const dictionaryBytes = [0, 1, 2, 4][descriptor & 3] ?? 0;
  const sizeBytes = [singleSegment, 2, 4, 8][sizeFlag] ?? 0;
  if (sizeBytes === 0) return "a zstd frame that does not declare its decoded size";
  const at = 5 + (singleSegment ? 0 : 1) + dictionaryBytes;
  if (at + sizeBytes > frame.byteLength) return "a truncated zstd frame header";
  switch (sizeBytes) {
    case 1:
      return view.getUint8(at);
    case 2:
      return view.getUint16(at, true) + 256;
    case 4:
      return view.getUint32(at, true);
    default:
      return Number(view.getBigUint64(at, true));
  }
}
