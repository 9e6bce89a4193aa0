"""Reading the text of a PDF with pikepdf alone (no pdftotext or pypdf on this machine).

WeasyPrint writes every font as a Type0 font with Identity encoding and a ToUnicode CMap, so a glyph code maps
back to its characters through that CMap. This walks each page's content stream (and the form XObjects it draws,
where SVG text ends up) and joins the decoded strings: good enough to assert that words are in the report.
"""

from __future__ import annotations

import re
from io import BytesIO

import pikepdf

_HEX = re.compile(rb"<([0-9a-fA-F]+)>")


def _cmap(font: pikepdf.Dictionary) -> dict[int, str]:
    out: dict[int, str] = {}
    if "/ToUnicode" not in font:
        return out
    data = font.ToUnicode.read_bytes()
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for line in block.strip().splitlines():
            codes = _HEX.findall(line)
            if len(codes) == 2:
                out[int(codes[0], 16)] = bytes.fromhex(codes[1].decode()).decode("utf-16-be", "replace")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for line in block.strip().splitlines():
            codes = _HEX.findall(line)
            if len(codes) == 3:
                start, end, first = int(codes[0], 16), int(codes[1], 16), int(codes[2], 16)
                for offset in range(end - start + 1):
                    out[start + offset] = chr(first + offset)
    return out


def _decode(raw: bytes, cmap: dict[int, str]) -> str:
    return "".join(cmap.get(int.from_bytes(raw[i : i + 2], "big"), "") for i in range(0, len(raw) - 1, 2))


def _walk(resources: pikepdf.Dictionary, stream: object, out: list[str], depth: int = 0) -> None:
    fonts = resources.get("/Font", {})
    cmaps = {str(name): _cmap(font) for name, font in fonts.items()}
    current: dict[int, str] = {}
    for operands, operator in pikepdf.parse_content_stream(stream):
        op = str(operator)
        if op == "Tf":
            current = cmaps.get(str(operands[0]), {})
        elif op == "Tj":
            out.append(_decode(bytes(operands[0]), current))
        elif op == "TJ":
            out.append(
                "".join(_decode(bytes(item), current) for item in operands[0] if isinstance(item, pikepdf.String))
            )
        elif op in {"ET", "Td", "TD", "T*", "Tm"}:
            out.append(" ")
        elif op == "Do" and depth < 5:
            xobject = resources.get("/XObject", {}).get(str(operands[0]))
            if xobject is not None and xobject.get("/Subtype") == "/Form":
                _walk(xobject.get("/Resources", resources), xobject, out, depth + 1)


def pdf_pages_text(data: bytes) -> list[str]:
    pages = []
    with pikepdf.open(BytesIO(data)) as pdf:
        for page in pdf.pages:
            parts: list[str] = []
            _walk(page.Resources, page, parts)
            pages.append(re.sub(r"\s+", " ", "".join(parts)))
    return pages


def pdf_text(data: bytes) -> str:
    return "\n".join(pdf_pages_text(data))
