"""The font a PDF report embeds: a system font with Chinese glyphs (formats/pdf_report.py draws with it).

Fonts. PDF's built-in fonts have no Chinese glyphs, so a CJK font from the system is embedded, as a
subset holding only the glyphs the report uses (a report of a few pages carries a few hundred kB, not
the 10–20 MB of the font file). :func:`find_cjk_font` looks, in order, at ``EXAM_TUI_PDF_FONT``, at the
files of the Debian packages fonts-wqy-zenhei, fonts-wqy-microhei, fonts-noto-cjk and
fonts-arphic-uming/ukai, then asks fontconfig (``fc-list :lang=zh file``). A font collection (.ttc/.otc)
holds several faces; fpdf2 opens one by index (``add_font(collection_font_number=…)``, handed to
fontTools' ``TTFont(fontNumber=…)``), and :func:`cjk_face_index` picks the proportional Simplified
Chinese face by its names (Noto's "… CJK SC" rather than JP/KR/TC, Arphic's "… CN", not the "Mono"
faces). On a machine without any of them: ``apt-get install fonts-wqy-zenhei``.

Licences of the fonts embedded: WenQuanYi Zen Hei and Micro Hei are GPLv2 with the font-embedding
exception (a document that embeds the font is not thereby under the GPL); Noto Sans/Serif CJK are under
the SIL Open Font License 1.1, which allows embedding; the Arphic fonts are under the Arphic Public
License, which allows it too. The reports themselves are the users' and carry no font licence.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

FONT_ENV = "EXAM_TUI_PDF_FONT"
# Files of Debian's Chinese font packages, best first: WenQuanYi Zen Hei (fonts-wqy-zenhei) is small,
# complete for GB 18030 and has Latin letters of its own.
KNOWN_FONT_PATHS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
)
FC_LIST_COMMAND = "fc-list"
FONT_SUFFIXES = (".ttf", ".ttc", ".otf", ".otc")


class NoCjkFont(Exception):
    """No font with Chinese glyphs on this machine. ``key`` is a message key, ``tried`` the places looked at."""

    key = "pdf.no_font"

    def __init__(self, tried: Sequence[str]) -> None:
        self.tried = tuple(tried)
        self.params = {"paths": ", ".join(self.tried), "env": FONT_ENV}
        super().__init__(
            f"{self.key}: no font with Chinese glyphs found for the PDF report; install fonts-wqy-zenhei "
            f"or set {FONT_ENV} to a .ttf/.ttc/.otf file (tried: {self.params['paths']})"
        )


def find_cjk_font() -> Path:
    """The font file to embed; see the module's docstring for the order. Raises :class:`NoCjkFont`."""
    tried: list[str] = []
    env = os.environ.get(FONT_ENV, "").strip()
    if env:
        tried.append(f"{FONT_ENV}={env}")
        if Path(env).is_file():
            return Path(env)
    for known in KNOWN_FONT_PATHS:
        tried.append(known)
        if Path(known).is_file():
            return Path(known)
    tried.append(f"{FC_LIST_COMMAND} :lang=zh file")
    for found in _fontconfig_cjk_fonts():
        return found
    raise NoCjkFont(tried)


def _fontconfig_cjk_fonts() -> list[Path]:
    """Scalable fonts fontconfig says cover Chinese, collections and TrueType first, in a stable order."""
    command = shutil.which(FC_LIST_COMMAND)
    if command is None:
        return []
    try:
        out = subprocess.run(
            [command, ":lang=zh", "file"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    paths = {Path(line.strip().rstrip(":").strip()) for line in out.splitlines() if line.strip()}
    usable = [p for p in paths if p.suffix.lower() in FONT_SUFFIXES and p.is_file()]
    return sorted(usable, key=lambda p: (FONT_SUFFIXES.index(p.suffix.lower()), str(p)))


def cjk_face_index(path: Path) -> int:
    """The face of a font collection to use: the proportional Simplified Chinese one; 0 for a single font."""
    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(path), lazy=True)
    try:
        best, best_score = 0, -math.inf
        for index, font in enumerate(collection.fonts):
            names = font["name"]
            family = " ".join(filter(None, (names.getDebugName(1), names.getDebugName(16))))
            score = 0
            if re.search(r"\b(SC|CN|GB)\b", family):
                score += 4  # Noto Sans CJK SC, AR PL UMing CN
            if re.search(r"\b(JP|KR|TC|HK|TW)\b", family):
                score -= 2
            if any(record.langID == 0x0804 for record in names.names):  # a name in zh-CN
                score += 1
            if "mono" in family.lower():
                score -= 3
            if score > best_score:
                best, best_score = index, score
        return best
    finally:
        collection.close()
