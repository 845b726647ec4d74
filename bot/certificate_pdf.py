"""The certificate as an A4 PDF, drawn with matplotlib's PDF backend and its bundled DejaVu Sans
(which has every Kazakh letter), with a QR code from segno: no network, no browser.

It uses matplotlib's Figure without pyplot, so the bot can render in a worker thread while its
event loop goes on."""

from __future__ import annotations

import io
import textwrap

from bot.certificate import certified_lines, issued_on
from bot.content import Bank
from bot.locales import t
from bot.store import IssuedCertificate

A4 = (8.27, 11.69)  # inches
WRAP = 72  # characters per line of the body at 11 points
FONT = "DejaVu Sans"


def _qr(axes: object, target: str) -> None:
    import segno

    matrix = [list(row) for row in segno.make(target, error="m").matrix_iter(border=2)]
    axes.imshow(matrix, cmap="gray_r", interpolation="nearest")
    axes.set_axis_off()


def render(issued: IssuedCertificate, bank: Bank, lang: str, qr_target: str) -> bytes:
    """The certificate in `lang`: title, holder, track, modules with scores and dates, due date, code and QR."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    matplotlib.rcParams["pdf.fonttype"] = 42  # TrueType with a ToUnicode map, so the text can be copied
    figure = Figure(figsize=A4)
    figure.patches.append(
        Rectangle((0.04, 0.03), 0.92, 0.94, fill=False, linewidth=2, edgecolor="#2b7bb9", transform=figure.transFigure)
    )
    figure.text(0.5, 0.91, t(lang, "cert_title"), ha="center", fontsize=24, color="#1d4f7a", family=FONT)
    figure.text(0.5, 0.87, t(lang, "cert_subtitle"), ha="center", fontsize=12, family=FONT)
    figure.text(0.5, 0.81, str(issued.certifies["name"]), ha="center", fontsize=20, family=FONT)
    y = 0.75
    for line in certified_lines(issued, bank, lang):
        for part in textwrap.wrap(line, WRAP, subsequent_indent="   ") or [""]:
            figure.text(0.09, y, part, fontsize=11, family=FONT)
            y -= 0.025
        y -= 0.008
    figure.text(0.09, 0.235, t(lang, "cert_issued", date=issued_on(issued, lang)), fontsize=11, family=FONT)
    figure.text(0.09, 0.2, t(lang, "cert_code", code=issued.code), fontsize=13, family=FONT)
    for n, part in enumerate(textwrap.wrap(t(lang, "cert_how_to_verify"), 50)):
        figure.text(0.09, 0.16 - 0.022 * n, part, fontsize=9, color="#555555", family=FONT)
    _qr(figure.add_axes((0.68, 0.06, 0.22, 0.22 * A4[0] / A4[1])), qr_target)
    buffer = io.BytesIO()
    figure.savefig(
        buffer, format="pdf", metadata={"Title": t(lang, "cert_title"), "Subject": issued.code, "CreationDate": None}
    )
    return buffer.getvalue()
