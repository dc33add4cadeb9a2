"""A smaller ICU data library for the bundle: Qt's libicudata.so.NN without the trees Qt never reads.

PySide6's QtCore links ICU, and libicudata.so.73 (~31 MB) holds every ICU data item. QtCore calls
only four ICU services (`nm -D --undefined-only libQt6Core.so.6 | grep _73`):
  ucol_*   QCollator (and QFileSystemModel's sorting)  -> coll/ + the root locale data
  ucnv_*   QStringDecoder/Encoder for non-UTF names     -> *.cnv, cnvalias.icu
  ucal_*   QTimeZone::displayName / canonical ids       -> zone/, zoneinfo64, metaZones, ...
  u_strToUpper/Lower  QLocale::toUpper/toLower         -> case data compiled into libicuuc
Text shaping and line breaking are HarfBuzz and Qt's own tables, not ICU. So the trees below,
which none of those services open, are left out; everything else (all locales, collation,
conversion tables, time zones, normalization, names) stays. tests/installer/icu_check.py proves
it: collation, codecs, time-zone names, case mapping and rendered text come out byte-identical
with the full and the trimmed library.

    python installer/icu_data.py SRC_LIBICUDATA DEST_LIBICUDATA   # by hand; the spec calls trim()

Needs a C compiler (`cc`, to assemble the new shared library around the data); without one, or
on anything unexpected, trim() returns False and the spec ships the original library.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

# Data trees and items no ICU service that QtCore calls ever opens.
UNUSED_TREES = ("brkitr/", "translit/", "rbnf/", "unit/", "curr/", "lang/", "region/")
UNUSED_SUFFIXES = (".spp", ".cfu")  # StringPrep profiles (IDNA2003), spoof checker (confusables)


def unused(item: str) -> bool:
    """Is this item (name without the package prefix, e.g. 'curr/de.res') left out?"""
    return item.startswith(UNUSED_TREES) or item.endswith(UNUSED_SUFFIXES)


def _elf_section_end(blob: bytes, offset: int) -> int:
    """File offset where the ELF64 section holding `offset` ends."""
    if blob[:4] != b"\x7fELF" or blob[4] != 2 or blob[5] != 1:
        raise ValueError("not a little-endian ELF64 file")
    shoff = struct.unpack_from("<Q", blob, 0x28)[0]
    shentsize, shnum = struct.unpack_from("<HH", blob, 0x3A)
    for i in range(shnum):
        sh_offset, sh_size = struct.unpack_from("<QQ", blob, shoff + i * shentsize + 24)
        if sh_offset <= offset < sh_offset + sh_size:
            return sh_offset + sh_size
    raise ValueError("data not inside any section")


def extract(lib: bytes) -> bytes:
    """The ICU common data package ('CmnD', offset TOC) inside a libicudata shared library."""
    at = lib.find(b"CmnD")
    while at >= 0:
        start = at - 12
        if start >= 0 and lib[start + 2 : start + 4] == b"\xda\x27":
            return lib[start : _elf_section_end(lib, start)]
        at = lib.find(b"CmnD", at + 1)
    raise ValueError("no ICU common data in the library")


def items(dat: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """(header bytes, [(full item name, item bytes)]) of a common data package."""
    header_size = struct.unpack_from("<H", dat, 0)[0]
    if dat[2:4] != b"\xda\x27" or dat[12:16] != b"CmnD" or dat[8] != 0:
        raise ValueError("not a little-endian ICU common data package")
    toc = header_size
    count = struct.unpack_from("<I", dat, toc)[0]
    entries = [struct.unpack_from("<II", dat, toc + 4 + 8 * i) for i in range(count)]
    out = []
    for i, (name_off, data_off) in enumerate(entries):
        name = dat[toc + name_off : dat.index(b"\0", toc + name_off)].decode("ascii")
        end = toc + entries[i + 1][1] if i + 1 < count else len(dat)
        out.append((name, dat[toc + data_off : end]))
    if [n for n, _ in out] != sorted(n for n, _ in out):
        raise ValueError("TOC not sorted")
    return dat[:header_size], out


def pack(header: bytes, entries: list[tuple[str, bytes]]) -> bytes:
    """A common data package (offset TOC, names sorted, items 16-byte aligned) of these items."""

    def align(n: int) -> int:
        return (n + 15) // 16 * 16

    count = len(entries)
    names = bytearray()
    name_offsets = []
    for name, _ in entries:
        name_offsets.append(4 + 8 * count + len(names))
        names += name.encode("ascii") + b"\0"
    # Offsets count from the end of the header; the header itself is 16-byte aligned.
    pos = align(len(header) + 4 + 8 * count + len(names)) - len(header)
    data_offsets = []
    for _, blob in entries:
        data_offsets.append(pos)
        pos = align(len(header) + pos + len(blob)) - len(header)
    out = bytearray(header) + struct.pack("<I", count)
    for name_off, data_off in zip(name_offsets, data_offsets, strict=True):
        out += struct.pack("<II", name_off, data_off)
    out += names
    for (_, blob), data_off in zip(entries, data_offsets, strict=True):
        out += b"\0" * (len(header) + data_off - len(out)) + blob
    return bytes(out)


def trimmed(dat: bytes) -> tuple[bytes, int, int]:
    """(trimmed package, items kept, items dropped)."""
    header, entries = items(dat)
    kept = [(n, b) for n, b in entries if not unused(n.split("/", 1)[1])]
    return pack(header, kept), len(kept), len(entries) - len(kept)


def build_library(dat: bytes, soname: str, symbol: str, dest: Path, cc: str = "cc") -> None:
    """Assemble a shared library exporting `symbol` = the data (what ICU's genccode makes)."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "icudt.dat"
        data.write_bytes(dat)
        asm = Path(tmp) / "icudt.S"
        asm.write_text(
            f"\t.section .rodata\n\t.globl {symbol}\n\t.type {symbol}, @object\n\t.balign 16\n"
            f'{symbol}:\n\t.incbin "{data}"\n\t.size {symbol}, . - {symbol}\n'
            '\t.section .note.GNU-stack,"",@progbits\n'
        )
        subprocess.run(
            [cc, "-shared", "-nostdlib", f"-Wl,-soname,{soname}", "-Wl,-z,noexecstack",
             "-Wl,-s", "-o", str(dest), str(asm)],
            check=True,
        )  # fmt: skip


def trim(src: Path, dest: Path) -> bool:
    """Write a trimmed copy of libicudata `src` to `dest`; False (nothing written) if it can't."""
    cc = shutil.which("cc") or shutil.which("gcc")
    match = re.match(r"libicudata\.so\.(\d+)", src.name)
    if not sys.platform.startswith("linux") or not cc or not match:
        return False
    try:
        dat = extract(src.read_bytes())
        small, kept, dropped = trimmed(dat)
        # Check the round trip: every kept item is byte-identical in the new package.
        _, again = items(small)
        _, original = items(dat)
        wanted = [(n, b) for n, b in original if not unused(n.split("/", 1)[1])]
        if [(n, b.rstrip(b"\0")) for n, b in again] != [(n, b.rstrip(b"\0")) for n, b in wanted]:
            raise ValueError("round trip changed an item")
        dest.parent.mkdir(parents=True, exist_ok=True)
        build_library(small, src.name, f"icudt{match.group(1)}_dat", dest, cc)
    except (OSError, ValueError, subprocess.CalledProcessError) as exc:
        print(f"icu_data: keeping the full {src.name}: {exc}", file=sys.stderr)
        return False
    print(
        f"icu_data: {src.name} {len(dat) / 2**20:.1f} -> {len(small) / 2**20:.1f} MiB "
        f"({kept} items kept, {dropped} left out)",
        file=sys.stderr,
    )
    return True


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    raise SystemExit(0 if trim(Path(sys.argv[1]), Path(sys.argv[2])) else 1)
