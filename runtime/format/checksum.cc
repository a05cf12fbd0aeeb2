// runtime/format/checksum.cc: image_checksum over zlib's crc32_z, which runs at
// several GB/s where a bytewise table-driven CRC manages about 400 MB/s: loading
// a table is mostly this checksum (docs/performance.md).
#include "runtime/format/checksum.h"

#include <zlib.h>

#include <cstring>

#include "runtime/format/table_format.h"

namespace edict::runtime::format {

uint32_t image_checksum(std::span<const std::byte> image) {
  const auto* bytes = reinterpret_cast<const Bytef*>(image.data());
  const unsigned char zero[4] = {};
  uLong crc = crc32_z(0, Z_NULL, 0);
  crc = crc32_z(crc, bytes, kChecksumOffset);
  crc = crc32_z(crc, zero, sizeof zero);
  crc = crc32_z(crc, bytes + kChecksumOffset + 4, image.size() - kChecksumOffset - 4);
  return static_cast<uint32_t>(crc);
}

void store_checksum(std::span<std::byte> image) {
  const uint32_t sum = image_checksum(image);
  std::memcpy(image.data() + kChecksumOffset, &sum, sizeof sum);
}

}  // namespace edict::runtime::format
