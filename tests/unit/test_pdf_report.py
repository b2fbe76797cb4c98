"""PDF reports: Chinese text embedded and extractable, tables over pages, charts, the font search.

The PDF is read back with a small parser of its own (objects, Flate streams, the font's ToUnicode map,
the strings shown), so nothing here depends on fpdf2 reading what it wrote; pdftotext and pdftoppm
(Debian's poppler-utils) are used for a second opinion when the machine has them.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from exam_tui.domain.line_breaks import is_wide
from exam_tui.formats import pdf_fonts, pdf_report
from exam_tui.formats.pdf_fonts import NoCjkFont, cjk_face_index, find_cjk_font
from exam_tui.formats.pdf_report import (
    BarChart,
    Facts,
    Heading,
    Paragraph,
    PdfLabels,
    Table,
    break_lines,
    write_pdf,
)

WQY = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
TITLE = "2024年新任职科级干部任前廉政法规知识考试成绩报告"
HEADING = "一、总体情况"
PARAGRAPH = (
    "党风廉政建设责任制是各级党组织和领导干部必须履行的政治责任，各级领导干部要严格遵守中央八项规定精神，"
    "坚决反对形式主义、官僚主义、享乐主义和奢靡之风。本次考试依据《中国共产党纪律处分条例》命题，"
    "Integrity education 贯穿干部成长全过程。"
) * 4
HEADERS = ["序号", "姓名", "单位", "成绩", "任用结论"]
ROWS = [
    [i + 1, f"干部{i + 1:03d}", "市纪委监委第三监督检查室" if i % 3 == 0 else "区财政局", 55 + (i * 7) % 45,
     "暂缓任用" if i % 9 == 0 else "通过"]
    for i in range(60)
]  # fmt: skip


@pytest.fixture(scope="module")
def font() -> Path:
    try:
        return find_cjk_font()
    except NoCjkFont:
        pytest.skip("no Chinese font on this machine (apt-get install fonts-wqy-zenhei)")


# ---- a small PDF reader -----------------------------------------------------------------------


class PdfFile:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.objects = {int(n): body for n, body in re.findall(rb"(\d+) 0 obj(.*?)endobj", data, re.S)}

    def dictionary(self, number: int) -> bytes:
        return self.objects[number].split(b"stream", 1)[0]

    def stream(self, number: int) -> bytes:
        body = self.objects[number]
        raw = re.search(rb"stream\r?\n(.*)\r?\nendstream", body, re.S)
        assert raw is not None, f"object {number} has no stream"
        return zlib.decompress(raw.group(1)) if b"/FlateDecode" in self.dictionary(number) else raw.group(1)

    def ref(self, number: int, key: bytes) -> int:
        found = re.search(rb"/" + key + rb"\s+(\d+) 0 R", self.dictionary(number))
        assert found is not None, f"object {number} has no /{key.decode()}"
        return int(found.group(1))

    def with_type(self, kind: bytes) -> list[int]:
        pattern = re.compile(rb"/Type\s*/" + kind + rb"(?![A-Za-z])")
        return sorted(n for n in self.objects if pattern.search(self.dictionary(n)))

    def page_count(self) -> int:
        pages = self.with_type(b"Pages")
        count = re.search(rb"/Count\s+(\d+)", self.dictionary(pages[0]))
        assert count is not None
        assert int(count.group(1)) == len(self.with_type(b"Page"))
        return int(count.group(1))

    def fonts(self) -> list[int]:
        return [n for n in self.with_type(b"Font") if b"/Type0" in self.dictionary(n)]

    def to_unicode(self, font: int) -> dict[int, str]:
        cmap = self.stream(self.ref(font, b"ToUnicode")).decode("ascii")
        mapping: dict[int, str] = {}
        for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
            for code, uni in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                mapping[int(code, 16)] = bytes.fromhex(uni).decode("utf-16-be")
        for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
            for low, high, start in re.findall(
                r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
            ):
                for offset in range(int(high, 16) - int(low, 16) + 1):
                    mapping[int(low, 16) + offset] = chr(int(start, 16) + offset)
        return mapping

    def page_texts(self) -> list[str]:
        """The strings each page shows, one a line, decoded through the (single) font's ToUnicode map."""
        mapping = self.to_unicode(self.fonts()[0])
        texts = []
        for page in self.with_type(b"Page"):
            content = self.stream(self.ref(page, b"Contents"))
            lines = []
            for text_object in re.findall(rb"BT(.*?)ET", content, re.S):
                shown = b"".join(_literal_strings(text_object))
                codes = [int.from_bytes(shown[i : i + 2], "big") for i in range(0, len(shown) - 1, 2)]
                lines.append("".join(mapping.get(code, "\ufffd") for code in codes))
            texts.append("\n".join(line for line in lines if line))
        return texts


def _literal_strings(content: bytes) -> list[bytes]:
    """The (…) strings of a content stream, escapes undone."""
    escapes = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}
    out, i = [], 0
    while (i := content.find(b"(", i)) != -1:
        i, depth, buf = i + 1, 1, bytearray()
        while depth:
            c = content[i]
            if c == ord("\\"):
                nxt = content[i + 1]
                if nxt in escapes:
                    buf += escapes[nxt]
                    i += 2
                elif ord("0") <= nxt <= ord("7"):
                    digits = re.match(rb"[0-7]{1,3}", content[i + 1 : i + 4])
                    assert digits is not None
                    buf.append(int(digits.group(0), 8) & 0xFF)
                    i += 1 + len(digits.group(0))
                else:
                    buf.append(nxt)
                    i += 2
                continue
            depth += c == ord("(")
            depth -= c == ord(")")
            if depth:
                buf.append(c)
            i += 1
        out.append(bytes(buf))
    return out


def report_sections() -> list[pdf_report.PdfSection]:
    return [
        Facts([("考试名称", "廉政法规知识考试"), ("参考人数", 60), ("及格线", 60.0), ("备注", None)]),
        Heading(HEADING),
        Paragraph(PARAGRAPH),
        BarChart("成绩分布", ["0-59", "60-69", "70-79", "80-89", "90-100"], [9, 12, 20, 12, 7]),
        Heading("二、成绩明细", level=2),
        Table(HEADERS, ROWS),
        BarChart("各单位廉政教育指数", ["市纪委监委第三监督检查室（派驻第五纪检监察组）", "区财政局"], [87.5, 72.25], horizontal=True),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def report(font: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    write_pdf(
        path,
        title=TITLE,
        subtitle="第一考场 · 闭卷",
        sections=report_sections(),
        generated_at=datetime(2024, 5, 6, 1, 30, tzinfo=UTC),
        font=font,
    )
    return path


# ---- the report -------------------------------------------------------------------------------


def test_report_is_a_pdf_of_several_pages(report: Path) -> None:
    data = report.read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    pdf = PdfFile(data)
    # Title, facts, a paragraph and a chart fill most of page 1; 60 rows of the table need two more.
    assert pdf.page_count() == 3


def test_chinese_text_is_extractable(report: Path) -> None:
    pages = PdfFile(report.read_bytes()).page_texts()
    first = pages[0]
    assert TITLE in first
    assert HEADING in first
    assert "第一考场 · 闭卷" in first
    assert (
        "生成时间：" + datetime(2024, 5, 6, 1, 30, tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")
        in first
    )
    assert "考试名称" in first and "廉政法规知识考试" in first
    # The paragraph comes back whole once the line breaks are taken out (no character lost or doubled).
    body = "".join(first.split("\n"))
    assert PARAGRAPH.replace(" ", "") in body.replace(" ", "")
    everything = "\n".join(pages)
    for row in ROWS:
        assert f"干部{row[0]:03d}" in everything
    assert "各单位廉政教育指数" in pages[-1]


def test_footer_numbers_every_page(report: Path) -> None:
    pages = PdfFile(report.read_bytes()).page_texts()
    for n, text in enumerate(pages, start=1):
        assert f"第 {n} 页 / 共 {len(pages)} 页" in text


def test_table_header_is_repeated_on_each_page_it_runs_onto(report: Path) -> None:
    pages = PdfFile(report.read_bytes()).page_texts()
    with_rows = [text for text in pages if "干部0" in text]
    assert len(with_rows) >= 2
    for text in with_rows:
        lines = text.split("\n")
        for header in HEADERS:
            assert header in lines
        # The header comes before the first row on the page.
        assert lines.index("姓名") < min(i for i, line in enumerate(lines) if line.startswith("干部0"))


def test_font_is_embedded_as_a_subset_with_the_glyphs_used(report: Path) -> None:
    from fontTools.ttLib import TTFont

    pdf = PdfFile(report.read_bytes())
    (font,) = pdf.fonts()
    base = re.search(rb"/BaseFont\s*/([A-Z]{6})\+(\S+)", pdf.dictionary(font))
    assert base is not None, "the font is a subset: its name carries a six-letter tag"
    descendant = int(re.search(rb"/DescendantFonts\s*\[\s*(\d+) 0 R", pdf.dictionary(font)).group(1))  # type: ignore[union-attr]
    descriptor = pdf.ref(descendant, b"FontDescriptor")
    embedded = TTFont(io.BytesIO(pdf.stream(pdf.ref(descriptor, b"FontFile2"))))
    cid_to_gid = pdf.stream(pdf.ref(descendant, b"CIDToGIDMap"))
    by_char = {char: cid for cid, char in pdf.to_unicode(font).items()}
    glyph_order = embedded.getGlyphOrder()
    glyf = embedded["glyf"]
    for char in set(HEADING + "廉政暂缓任用") - {"、"}:
        cid = by_char[char]
        gid = int.from_bytes(cid_to_gid[2 * cid : 2 * cid + 2], "big")
        assert gid != 0, f"{char} maps to .notdef (a box)"
        assert glyf[glyph_order[gid]].numberOfContours > 0, f"{char} has no outline in the subset"
    # A subset: far fewer glyphs than the 20 000-odd of a complete Chinese font.
    assert len(glyph_order) < 2000


def test_landscape_and_empty_sections(font: Path, tmp_path: Path) -> None:
    path = tmp_path / "wide.pdf"
    write_pdf(
        path,
        title="空报告",
        sections=[Table(["单位", "人数"], []), BarChart("无数据", [], []), Facts([]), Paragraph("")],
        landscape=True,
        labels=PdfLabels(page="Page {page} of {pages}", generated="Generated {time}"),
        generated_at=datetime(2024, 1, 1, tzinfo=UTC),
        font=font,
    )
    pdf = PdfFile(path.read_bytes())
    assert pdf.page_count() == 1
    assert b"/MediaBox [0 0 841.89 595.28]" in pdf.data
    text = pdf.page_texts()[0]
    assert "Page 1 of 1" in text and "Generated " in text and "单位" in text


def test_a_cell_longer_than_a_page_goes_on_over_pages(font: Path, tmp_path: Path) -> None:
    clause = "按照《新任职干部任前廉政法规考试办法》第十二条的规定暂缓任用，三个月后可申请补考。"
    rows = [[1, clause], [2, clause * 60], [3, "末行"]]
    path = tmp_path / "long.pdf"
    write_pdf(
        path, title="长单元格", sections=[Table(["编号", "说明"], rows, column_widths=(1, 8))], font=font
    )
    pdf = PdfFile(path.read_bytes())
    pages = pdf.page_texts()
    assert len(pages) >= 2
    assert all("说明" in text for text in pages)  # header on every page
    assert "末行" in pages[-1]
    assert "".join("".join(pages).split("\n")).count("暂缓任用") == 61


def test_table_column_widths_must_match_headers() -> None:
    with pytest.raises(ValueError):
        Table(["a", "b"], [], column_widths=(1,))
    with pytest.raises(ValueError):
        BarChart("x", ["a"], [1, 2])


# ---- poppler, when present --------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_pdftotext_reads_the_chinese(report: Path) -> None:
    out = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(report), "-"], capture_output=True, check=True
    )
    text = out.stdout.decode("utf-8")
    assert HEADING in text
    assert TITLE in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
def test_pdftoppm_renders_page_one(report: Path, tmp_path: Path) -> None:
    from PIL import Image

    subprocess.run(
        ["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", str(report), str(tmp_path / "p")], check=True
    )
    (png,) = tmp_path.glob("p*.png")
    image = Image.open(png).convert("L")
    width, height = image.size
    assert abs(width / height - 210 / 297) < 0.01
    dark = sum(image.histogram()[:128])
    assert dark > width * height * 0.01  # text, table rules and bars, not a blank page


# ---- finding the font -------------------------------------------------------------------------


def no_fonts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    missing = tmp_path / "nowhere" / "wqy-zenhei.ttc"
    monkeypatch.delenv(pdf_fonts.FONT_ENV, raising=False)
    monkeypatch.setattr(pdf_fonts, "KNOWN_FONT_PATHS", (str(missing),))
    monkeypatch.setattr(pdf_fonts, "FC_LIST_COMMAND", "no-such-fc-list-command")
    return missing


def test_missing_font_raises_with_the_message_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    missing = no_fonts(monkeypatch, tmp_path)
    with pytest.raises(NoCjkFont) as caught:
        find_cjk_font()
    assert caught.value.key == "pdf.no_font"
    assert str(caught.value).startswith("pdf.no_font")
    assert str(missing) in str(caught.value)
    assert str(missing) in caught.value.tried
    assert caught.value.params["paths"]
    out = tmp_path / "never.pdf"
    with pytest.raises(NoCjkFont):
        write_pdf(out, title="标题", sections=[Paragraph("正文")])
    assert not out.exists()


def test_env_font_comes_first_when_it_exists(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, font: Path
) -> None:
    no_fonts(monkeypatch, tmp_path)
    monkeypatch.setenv(pdf_fonts.FONT_ENV, str(font))
    assert find_cjk_font() == font
    monkeypatch.setenv(pdf_fonts.FONT_ENV, str(tmp_path / "gone.ttf"))
    with pytest.raises(NoCjkFont) as caught:
        find_cjk_font()
    assert f"{pdf_fonts.FONT_ENV}={tmp_path / 'gone.ttf'}" in caught.value.tried


def test_known_paths_are_tried_in_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    no_fonts(monkeypatch, tmp_path)
    second = tmp_path / "b.ttc"
    second.write_bytes(b"")
    monkeypatch.setattr(pdf_fonts, "KNOWN_FONT_PATHS", (str(tmp_path / "a.ttc"), str(second)))
    assert find_cjk_font() == second


def test_fontconfig_is_asked_last(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    no_fonts(monkeypatch, tmp_path)
    ttc, pcf = tmp_path / "font.ttc", tmp_path / "bitmap.pcf"
    ttc.write_bytes(b"")
    pcf.write_bytes(b"")
    fake = tmp_path / "fc-list"
    fake.write_text(f"#!/bin/sh\necho '{pcf}: '\necho '{ttc}: '\necho '/gone/x.ttf: '\n")
    fake.chmod(0o755)
    monkeypatch.setattr(pdf_fonts, "FC_LIST_COMMAND", str(fake))
    assert find_cjk_font() == ttc


@pytest.mark.skipif(not WQY.is_file(), reason="fonts-wqy-zenhei not installed")
def test_collection_face_is_the_proportional_chinese_one() -> None:
    from fontTools.ttLib import TTFont

    index = cjk_face_index(WQY)
    face = TTFont(str(WQY), fontNumber=index, lazy=True)
    assert "Mono" not in face["name"].getDebugName(1)
    assert ord("廉") in face.getBestCmap()


# ---- line breaking ----------------------------------------------------------------------------


def cells(text: str) -> float:
    """Width in half-width cells, as a terminal counts."""
    return float(sum(2 if is_wide(c) else 1 for c in text))


def test_chinese_breaks_between_characters() -> None:
    lines = break_lines("党风廉政建设责任制是各级党组织的政治责任", 10, cells)
    assert lines == ["党风廉政建", "设责任制是", "各级党组织", "的政治责任"]


def test_latin_words_stay_whole_and_spaces_go_at_breaks() -> None:
    lines = break_lines("Integrity education 廉政教育 for officials", 12, cells)
    # A break may fall between two Chinese characters, even right after a Latin word.
    assert lines == ["Integrity", "education 廉", "政教育 for", "officials"]
    assert all(cells(line) <= 12 for line in lines)


def test_closing_punctuation_never_starts_a_line_nor_opening_ends_one() -> None:
    lines = break_lines("遵守规定，坚决反对（形式主义）。", 8, cells)
    assert not any(line[0] in "，）。" for line in lines)
    assert not any(line[-1] == "（" for line in lines)
    assert "".join(lines) == "遵守规定，坚决反对（形式主义）。"


def test_a_word_wider_than_the_line_breaks_between_its_characters() -> None:
    lines = break_lines("https://example.org/a/very/long/path", 10, cells)
    assert all(cells(line) <= 10 for line in lines)
    assert "".join(lines) == "https://example.org/a/very/long/path"


def test_newlines_and_empty_text_are_kept() -> None:
    assert break_lines("第一行\n\n第三行", 20, cells) == ["第一行", "", "第三行"]
    assert break_lines("", 20, cells) == [""]
    assert break_lines("　　首行缩进两字", 40, cells) == ["　　首行缩进两字"]
