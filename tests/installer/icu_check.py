"""Print what Qt computes through ICU, so two ICU data libraries can be compared byte for byte.

    LD_PRELOAD=/opt/kord-desktop/_internal/PySide6/Qt/lib/libicudata.so.73 \
        QT_QPA_PLATFORM=offscreen .venv/bin/python tests/installer/icu_check.py

Run once as is (the venv's PySide6 with its full ICU data) and once with the bundle's trimmed
libicudata preloaded (same soname, so the dynamic loader uses it for the venv's Qt too): the two
outputs must be identical. Covers every ICU service QtCore calls (collation, codecs, time-zone
names, locale case mapping) and, for good measure, text layout and rendering in many scripts
(HarfBuzz, not ICU, but the point is that nothing a user sees changes). The first line names
the libicudata the process mapped, and is left out of the comparison.
"""

from __future__ import annotations

import functools
import hashlib
import sys

from PySide6.QtCore import (
    QCollator,
    QDateTime,
    QLocale,
    QStringConverter,
    QStringDecoder,
    QStringEncoder,
    Qt,
    QTextBoundaryFinder,
    QTimeZone,
)
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QTextLayout

WORDS = [
    "Ångström", "apple", "Zebra", "zebra", "Äpfel", "Apfel", "öl", "Ol", "ça", "cote", "côte",
    "coté", "côté", "İstanbul", "ılık", "ijs", "Ijs", "ñandú", "nube", "chico", "llama", "Łódź",
    "Lodz", "straße", "strasse", "file10", "file2", "file1", "C7♭9", "C7#9", "Cmaj7", "東京", "大阪",
    "さくら", "サクラ", "한국", "Москва", "Мир", "Αθήνα", "אבג", "عربي", "हिन्दी", "ไทย", "",
]  # fmt: skip
LOCALES = [
    "C", "en_US", "de_DE", "sv_SE", "fi_FI", "fr_FR", "es_ES", "pl_PL", "tr_TR", "cs_CZ",
    "da_DK", "ja_JP", "zh_CN", "zh_TW", "ko_KR", "ru_RU", "el_GR", "he_IL", "ar_SA", "hi_IN",
    "th_TH", "pt_BR", "nb_NO", "hu_HU", "lt_LT",
]  # fmt: skip
CODECS = [
    "windows-1252", "windows-1250", "windows-1251", "ISO-8859-2", "ISO-8859-15", "KOI8-R",
    "IBM866", "macintosh", "Shift_JIS", "EUC-JP", "ISO-2022-JP", "GB18030", "GBK", "Big5",
    "EUC-KR", "windows-874", "UTF-7", "SCSU", "ibm-037",
]  # fmt: skip
ZONES = [
    b"Europe/Berlin", b"America/New_York", b"Asia/Tokyo", b"Australia/Sydney", b"UTC",
    b"Asia/Kolkata", b"America/Sao_Paulo", b"Europe/London", b"Africa/Cairo", b"US/Pacific",
]  # fmt: skip
SAMPLES = [
    "Cmaj7 C7(♭9) F♯m7♭5 B♭/D", "Ärger über Öl — straße", "Съешь же ещё этих булок",
    "Ελληνικά κείμενα", "עברית מימין לשמאל", "العربية من اليمين", "हिन्दी देवनागरी",
    "ภาษาไทยไม่มีช่องว่างระหว่างคำ", "日本語のテキスト、漢字とかな", "中文文本测试", "한국어 텍스트",
    "emoji 🎸🎹🎵", "fi ffl — “quotes” …",
]  # fmt: skip


def mapped_icudata() -> str:
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "libicudata" in line}
    return " ".join(sorted(paths)) or "(none)"


def main() -> None:
    app = QGuiApplication(sys.argv[:1])
    print("icudata:", mapped_icudata())
    for name in LOCALES:
        locale = QLocale(name)
        for numeric in (False, True):
            for case in (Qt.CaseSensitivity.CaseSensitive, Qt.CaseSensitivity.CaseInsensitive):
                collator = QCollator(locale)
                collator.setNumericMode(numeric)
                collator.setCaseSensitivity(case)
                order = sorted(WORDS, key=functools.cmp_to_key(collator.compare))
                keys = [k1.compare(k2) for k1 in map(collator.sortKey, WORDS[:12])
                        for k2 in map(collator.sortKey, WORDS[:12])]  # fmt: skip
                print("collate", name, numeric, case.name, "|".join(order), keys)
        print("case", name, locale.toUpper("iı İI ß ǆ straße ΆΈΉ"), locale.toLower("IİI ΣΑΣ"))
    print("codecs", len(QStringConverter.availableCodecs()), QStringConverter.availableCodecs())
    for codec in CODECS:
        # (PySide6 binds no encode/decode call; opening the converter loads its table.)
        encoder, decoder = QStringEncoder(codec), QStringDecoder(codec)
        print("codec", codec, encoder.isValid(), encoder.name(), decoder.isValid(), decoder.name())
    when = QDateTime.fromSecsSinceEpoch(1_700_000_000)
    for zone_id in ZONES:
        zone = QTimeZone(zone_id)
        for name in ("en_US", "de_DE", "ja_JP", "fr_FR", "ru_RU"):
            locale = QLocale(name)
            names = [
                zone.displayName(when, kind, locale)
                for kind in (QTimeZone.NameType.LongName, QTimeZone.NameType.ShortName,
                             QTimeZone.NameType.OffsetName)
            ]  # fmt: skip
            std = zone.displayName(QTimeZone.TimeType.StandardTime,
                                   QTimeZone.NameType.LongName, locale)  # fmt: skip
            print("zone", zone_id.decode(), name, zone.isValid(), names, std,
                  zone.abbreviation(when), zone.offsetFromUtc(when))  # fmt: skip
        print("zone-ids", zone_id.decode(), bytes(QTimeZone.ianaIdToWindowsId(zone_id)).decode())
    print("zone-count", len(QTimeZone.availableTimeZoneIds()))
    for text in SAMPLES:
        finder = QTextBoundaryFinder(QTextBoundaryFinder.BoundaryType.Word, text)
        bounds = []
        while (pos := finder.toNextBoundary()) != -1:
            bounds.append(pos)
        layout = QTextLayout(text, QFont("DejaVu Sans", 14))
        layout.beginLayout()
        lines = []
        while (line := layout.createLine()).isValid():
            line.setLineWidth(90)
            lines.append((line.textStart(), line.textLength()))
        layout.endLayout()
        image = QImage(400, 40, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setFont(QFont("DejaVu Sans", 14))
        painter.drawText(4, 28, text)
        painter.end()
        pixels = hashlib.md5(bytes(image.constBits())).hexdigest()
        print("text", text, bounds, lines, pixels)
    print("locale", [QLocale(n).toString(when, QLocale.FormatType.LongFormat) for n in LOCALES])
    del app


if __name__ == "__main__":
    main()
