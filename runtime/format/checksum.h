// runtime/format/checksum.h: the checksum of a .edictc image (docs/table-format.md).
//
// CRC-32 (ISO-HDLC: reflected polynomial 0x04C11DB7, initial value and final xor
// 0xFFFFFFFF; the CRC of zlib, gzip and PNG) over the whole image, with the four
// bytes of Header::checksum read as zero. One definition for the writer (the
// compiler), the reader (Table::load) and the tools and tests that patch tables.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace edict::runtime::format {

// `image` must hold at least kChecksumOffset + 4 bytes.
uint32_t image_checksum(std::span<const std::byte> image);

// Stores image_checksum(image) in the image's Header::checksum (little-endian, as
// every field): what the writer does last, and what a tool that patches a table
// does after its edit. Same precondition.
void store_checksum(std::span<std::byte> image);

}  // namespace edict::runtime::format
