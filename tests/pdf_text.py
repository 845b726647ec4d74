"""The text of a PDF matplotlib wrote, read without matplotlib: inflate the streams, follow each
text operator's font to its ToUnicode map and turn the glyph codes back into characters."""

from __future__ import annotations

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f]+)>")
_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}


def _objects(data: bytes) -> tuple[dict[int, bytes], dict[int, bytes]]:
    """Each object's dictionary and, for streams, its (inflated) content."""
    heads, streams = {}, {}
    for number, body in _OBJECT.findall(data):
        head, _, rest = body.partition(b"stream")
        heads[int(number)] = head
        if rest:
            content = rest.lstrip(b"\r\n").rsplit(b"endstream", 1)[0]
            streams[int(number)] = zlib.decompressobj().decompress(content) if b"/FlateDecode" in head else content
    return heads, streams


def _utf16(hex_text: bytes) -> str:
    return bytes.fromhex(hex_text.decode()).decode("utf-16-be")


def _to_unicode(cmap: bytes) -> dict[int, str]:
    """The bfchar and bfrange entries of a ToUnicode CMap (ranges to a start or to an array)."""
    table: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        codes = _HEX.findall(block)
        table.update((int(code, 16), _utf16(text)) for code, text in zip(codes[::2], codes[1::2]))
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for first, last, target in re.findall(rb"<(\w+)>\s*<(\w+)>\s*(\[.*?\]|<\w+>)", block, re.S):
            codes = range(int(first, 16), int(last, 16) + 1)
            if target.startswith(b"["):
                table.update(zip(codes, map(_utf16, _HEX.findall(target))))
            else:
                start = ord(_utf16(target[1:-1]))
                table.update((code, chr(start + n)) for n, code in enumerate(codes))
    return table


def _literal(content: bytes, at: int) -> tuple[bytes, int]:
    """A (string) starting at `at`: its bytes and the index after it."""
    out, depth, i = bytearray(), 1, at + 1
    while True:
        char = content[i]
        if char == ord("\\"):
            following = content[i + 1]
            octal = re.match(rb"[0-7]{1,3}", content[i + 1 : i + 4])
            if octal:
                out.append(int(octal.group(), 8) & 0xFF)
                i += 1 + len(octal.group())
                continue
            out += _ESCAPES.get(following, bytes([following]))
            i += 2
            continue
        depth += (char == ord("(")) - (char == ord(")"))
        if depth == 0:
            return bytes(out), i + 1
        out.append(char)
        i += 1


def _shown(content: bytes) -> list[tuple[bytes, bytes] | None]:
    """(font resource name, glyph codes) of every Tj and TJ in drawing order; None where a text object ends."""
    shown, font, pending, i = [], b"", [], 0
    token = re.compile(rb"\s+|/[^\s/\[\]()<>]+|<[0-9A-Fa-f]*>|[\[\]]|[^\s/\[\]()<>]+")
    operands: list[bytes] = []
    while i < len(content):
        if content[i] == ord("("):
            text, i = _literal(content, i)
            pending.append(text)
            continue
        match = token.match(content, i)
        i = match.end()
        word = match.group()
        if word.startswith(b"<"):
            pending.append(bytes.fromhex(word[1:-1].decode()))
        elif word.startswith(b"/"):
            operands.append(word[1:])
        elif word in (b"Tj", b"TJ", b"'", b'"'):
            shown.append((font, b"".join(pending)))
            pending = []
        elif word == b"ET":
            shown.append(None)
        elif word == b"Tf":
            font = operands[-1]
        elif word.strip() and not word.startswith((b"[", b"]")) and not re.fullmatch(rb"[-+.\d]+", word):
            operands, pending = [], []
    return shown


def pdf_text(data: bytes) -> str:
    """Every run of text drawn in the document, one per line; ValueError if the file is not a whole PDF."""
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-64:]:
        raise ValueError("not a complete PDF file")
    heads, streams = _objects(data)
    fonts = {}
    for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", data):
        unicode = re.search(rb"/ToUnicode (\d+) 0 R", heads.get(int(number), b""))
        if unicode:
            fonts[name] = _to_unicode(streams[int(unicode.group(1))])
    lines, line = [], []
    for content in streams.values():
        if b"Tf" not in content or b"begincmap" in content:
            continue
        for run in _shown(content):
            if run is None:
                lines.append("".join(line))
                line = []
                continue
            table = fonts.get(run[0], {})
            line += [
                table.get(int.from_bytes(run[1][n : n + 2], "big"), "\ufffd") for n in range(0, len(run[1]) - 1, 2)
            ]
    return "\n".join(lines)
