"""`corridor report` end to end: situation reports of the Lachin case (loaded with `corridor
case load lachin-2023`) as HTML and PDF, as of signed checkpoints; a synthetic case with Arabic
and Hebrew place names rendered into the PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from corridor.cli.app import main
from corridor.testing import Cli

AT = "2023-08-15T12:00:00+04:00"
POPPLER = all(shutil.which(t) for t in ("pdftotext", "pdftoppm", "pdffonts"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext) not installed")
# bidi embedding and isolation marks pdftotext writes around right-to-left runs
BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def lachin(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database holding the built-in Lachin case, loaded by `corridor case load` (shared
    by the module's tests, which only read it)."""
    folder = tmp_path_factory.mktemp("lachin")
    db = str(folder / "corridor.db")
    assert main(["case", "load", "lachin-2023", "--db", db]) == 0
    return db


def checkpoints(cli: Cli, db: str) -> dict[int, str]:
    doc = cli.json("log", "checkpoints", "--db", db)
    return {c["tree_size"]: c["root"] for c in doc["items"]}


def pages_ink(pdf: Path, tmp: Path) -> list[int]:
    """Per page of the PDF rendered at 50 dpi, how many pixels are not white."""
    from PIL import Image

    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp / "page")], check=True)
    counts = []
    for png in sorted(tmp.glob("page-*.png")):
        with Image.open(png) as im:
            grey = im.convert("L")
            counts.append(sum(grey.histogram()[:200]))
    return counts


def pdf_text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True)
    return BIDI_MARKS.sub("", out.stdout.decode())


class TestHtml:
    def test_the_report_shows_the_situation_with_sources_and_its_checkpoint(
        self, cli: Cli, lachin: str
    ) -> None:
        """The HTML names places under every name, the route's status, the convoy's disputed
        tonnages side by side, the verdicts, the scenarios, each source with whose claim it
        is, the signed checkpoint with its root and key, the DEMO label and the reproduce
        line."""
        out = cli.tmp / "r.html"
        code, _, err = cli("report", "--at", AT, "--case", "lachin-2023", "--runs", "20",
                           "--out", str(out), "--db", lachin)  # fmt: skip
        assert code == 0, err
        html = out.read_text(encoding="utf-8")
        latest = max(checkpoints(cli, lachin).items())
        assert f"signed checkpoint {latest[0]}" in html
        assert latest[1] in html
        assert "corridor.local/corridor-demo" in html  # the log key's name
        assert "DEMO-signed (built-in case)" in html
        assert '<bdi lang="az" dir="ltr">Khankendi</bdi> / <bdi lang="hy" dir="ltr">Stepanakert' \
            in html
        assert "Lachin road</td>\n<td class=\"status-closed\">closed" in html
        assert "360 | 361 | 400" in html  # three sources' tonnages, never averaged
        assert "am-convoy-2023-07" in html
        assert 'class="verdict-violated">violated' in html
        assert "as recorded" in html and "data:image/svg+xml;base64," in html
        assert 'href="https://en.armradio.am"' in html
        assert "claim of <strong>am-gov</strong>" in html
        assert f"corridor report --at {AT} --as-of {latest[0]} --case lachin-2023 --runs 20" \
            in html
        assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")

    def test_the_same_at_and_as_of_give_the_same_bytes(self, cli: Cli, lachin: str) -> None:
        """Two runs with the same --at and --as-of write byte-identical HTML, to a file and to
        stdout alike, and the reproduce line it prints gives it again."""
        out = cli.tmp / "a.html"
        args = ["report", "--at", AT, "--as-of", "104", "--case", "lachin-2023", "--runs", "20",
                "--db", lachin]  # fmt: skip
        assert cli(*args, "--out", str(out))[0] == 0
        code, stdout, _ = cli(*args)
        assert code == 0
        first = out.read_bytes()
        assert stdout.encode() == first
        line = re.search(r"<code>(corridor report [^<]*) --format html</code>", stdout)
        assert line is not None
        again = cli.tmp / "b.html"
        assert cli(*line.group(1).split()[1:], "--db", lachin, "--out", str(again))[0] == 0
        assert again.read_bytes() == first

    def test_as_of_rests_on_the_checkpoint_of_that_size(self, cli: Cli, lachin: str) -> None:
        """--as-of 93 names checkpoint 93 and its root, and cites only entries below 93 (the
        attestations appended after it do not exist for the report)."""
        roots = checkpoints(cli, lachin)
        code, html, err = cli("report", "--at", AT, "--as-of", "93", "--db", lachin)
        assert code == 0, err
        assert "signed checkpoint 93" in html and roots[93] in html and roots[104] not in html
        cited = {int(n) for n in re.findall(r'<span class="ref">e(\d+)</span>', html)}
        assert cited and max(cited) < 93
        assert "--as-of 93" in html

    def test_both_databases_give_the_report(self, cli: Cli, db_url: str) -> None:
        """Over SQLite and PostgreSQL alike, the report as of 93 names that checkpoint's root
        and is the same bytes twice."""
        assert cli("case", "load", "lachin-2023", "--db", db_url)[0] == 0
        args = ("report", "--at", AT, "--as-of", "93", "--db", db_url)
        code, html, err = cli(*args)
        assert code == 0, err
        assert checkpoints(cli, db_url)[93] in html and "am-convoy-2023-07" in html
        assert cli(*args)[1] == html

    def test_a_size_the_log_did_not_sign_is_refused(self, cli: Cli, lachin: str) -> None:
        """--as-of 97 is one line naming the signed sizes nearest to it."""
        code, out, err = cli("report", "--at", AT, "--as-of", "97", "--db", lachin)
        assert (code, out) == (1, "")
        assert err.count("\n") == 1 and "93 and 104" in err

    def test_a_bad_instant_is_a_one_line_error(self, cli: Cli, lachin: str) -> None:
        """A malformed --at exits 1 with one line naming the option."""
        code, out, err = cli("report", "--at", "15 August", "--db", lachin)
        assert (code, out) == (1, "")
        assert err.startswith("error: --at:") and err.count("\n") == 1

    def test_out_into_a_missing_folder_is_a_clear_error(self, cli: Cli, lachin: str) -> None:
        """--out into a folder that does not exist says so, and writes nothing."""
        target = cli.tmp / "nope" / "r.pdf"
        code, _, err = cli("report", "--at", AT, "--out", str(target), "--db", lachin)
        assert code == 1
        assert err == f"error: --out: the folder {target.parent} does not exist (create it " \
            "first)\n"
        assert not target.parent.exists()

    def test_a_bad_format_is_refused(self, cli: Cli, lachin: str) -> None:
        """--format takes html or pdf."""
        code, _, err = cli("report", "--format", "docx", "--db", lachin)
        assert code == 1 and "--format" in err and "html or pdf" in err

    def test_a_record_without_a_signed_checkpoint_is_refused(self, cli: Cli) -> None:
        """A report rests on a signed checkpoint: an empty record has none beyond size 0, and
        a record that does not exist is the usual one-line error."""
        code, _, err = cli("report", "--db", str(cli.tmp / "missing.db"))
        assert code == 1 and err.count("\n") == 1


@needs_poppler
@pytest.mark.slow
class TestPdf:
    def test_the_lachin_report_as_pdf(self, cli: Cli, lachin: str, tmp_path: Path) -> None:
        """The PDF holds the places' names in Latin and Armenian-side spellings as text, uses
        the DejaVu fonts, and every page renders to a non-blank image."""
        out = cli.tmp / "r.pdf"
        code, _, err = cli("report", "--at", AT, "--case", "lachin-2023", "--runs", "20",
                           "--out", str(out), "--db", lachin)  # fmt: skip
        assert code == 0, err
        assert out.read_bytes().startswith(b"%PDF-")
        text = pdf_text(out)
        for name in ("Khankendi", "Stepanakert", "Berdzor", "Shushi", "DEMO-signed",
                     "Convoys waiting", "am-convoy-2023-07"):  # fmt: skip
            assert name in text, name
        fonts = subprocess.run(["pdffonts", str(out)], check=True, capture_output=True).stdout
        assert b"DejaVu" in fonts
        ink = pages_ink(out, tmp_path)
        assert len(ink) >= 3 and all(n > 500 for n in ink), ink


SYNTHETIC_CASE = """\
# SYNTHETIC: made-up places and figures, to test that Arabic and Hebrew names render.
name: two-gates-synthetic
title: Two Gates (synthetic test case)
synthetic: true
timezone: "+02:00"
organisations:
  - {id: monitor-x, name: "Monitor X (synthetic)", kind: monitor}
  - {id: party-a, name: "Party A (synthetic)", kind: party}
  - {id: party-b, name: "Party B (synthetic)", kind: party}
places:
  - id: east-gate
    names:
      - {name: East Gate, lang: en}
      - {name: "باب الشرق", lang: ar, used_by: Arabic sources}
      - {name: "שער המזרח", lang: he, used_by: Hebrew sources}
    lat: 31.50
    lon: 34.60
  - id: river-town
    names:
      - {name: River Town, lang: en}
      - {name: "مدينة النهر", lang: ar}
      - {name: "עיר הנהר", lang: he}
    lat: 31.30
    lon: 34.30
  - id: mid-town
    names:
      - {name: Mid Town, lang: en}
      - {name: "Քաղաք", lang: hy}
      - {name: "Город", lang: ru}
      - {name: "Şəhər", lang: az}
    lat: 31.40
    lon: 34.45
routes:
  - {id: gate-road, name: Gate road, places: [east-gate, mid-town, river-town]}
checkpoints:
  - {id: east-gate-cp, name: East Gate checkpoint, place: east-gate, route: gate-road}
observations:
  - type: route_status
    observed: "2024-03-01T08:00:00"
    reporter: monitor-x
    sources:
      - {title: "Synthetic bulletin", url: "https://example.org/1", date: "2024-03-01",
         claim_of: party-a}
    body: {route: gate-road, status: restricted, place: east-gate}
  - type: crossing
    observed: {start: "2024-03-02T00:00:00", end: "2024-03-03T00:00:00"}
    reporter: monitor-x
    sources: [{title: "Synthetic count <zero> & more", date: "2024-03-02"}]
    body: {checkpoint: east-gate-cp, direction: inbound, category: vehicles, count: 0}
  - type: crossing
    observed: {start: "2024-03-04T00:00:00", end: "2024-03-05T00:00:00"}
    reporter: monitor-x
    sources: [{title: "Party A figure", date: "2024-03-04", claim_of: party-a}]
    body: {checkpoint: east-gate-cp, direction: inbound, category: vehicles, count: 12}
  - type: crossing
    observed: {start: "2024-03-04T00:00:00", end: "2024-03-05T00:00:00"}
    reporter: monitor-x
    sources: [{title: "Party B figure", date: "2024-03-04", claim_of: party-b}]
    body: {checkpoint: east-gate-cp, direction: inbound, category: vehicles, count: 30}
  - type: crossing
    observed: {start: "2024-03-06T00:00:00", end: "2024-03-09T00:00:00"}
    reporter: monitor-x
    sources: [{title: "Synthetic weekly note", date: "2024-03-09"}]
    body: {checkpoint: east-gate-cp, direction: inbound, category: vehicles, count: 45}
"""


@pytest.fixture
def synthetic(cli: Cli) -> Path:
    """The synthetic two-gates case loaded into ./corridor.db, signed by monitor-x's key."""
    case = cli.tmp / "two-gates.yaml"
    case.write_text(SYNTHETIC_CASE, encoding="utf-8")
    cli("case", "load", str(case))  # registers the organisations; monitor-x has no key yet
    assert cli("keys", "new", "monitor-x")[0] == 0
    code, _, err = cli("case", "load", str(case))
    assert code == 0, err
    return case


class TestSyntheticArabicHebrew:
    def test_the_html_marks_gaps_zeros_ranges_and_spans(self, cli: Cli, synthetic: Path) -> None:
        """Over the synthetic case the daily chart has bars for 2 and 4 March only (3 March is
        a gap), 2 March a zero, 4 March the range 12–30 with both claimants, and the 6–9 March
        report as one span; the case is labelled synthetic and the source title escaped."""
        code, html, err = cli("report", "--at", "2024-03-10T12:00+02:00", "--days", "12",
                              "--case", str(synthetic))  # fmt: skip
        assert code == 0, err
        assert "Synthetic case: not real events." in html
        days = re.findall(r'<g class="(bar[^"]*)" data-day="([\d-]+)"', html)
        assert days == [("bar zero", "2024-03-02"), ("bar range", "2024-03-04")]
        assert 'data-low="12" data-high="30"' in html
        assert "12: party-a" in html and "30: party-b" in html
        assert '<g class="span" data-start="2024-03-06T00:00:00+02:00"' in html
        assert "Synthetic count &lt;zero&gt; &amp; more" in html
        assert '<bdi lang="ar" dir="rtl">باب الشرق</bdi>' in html

    @needs_poppler
    def test_arabic_and_hebrew_names_come_out_of_the_pdf(
        self, cli: Cli, synthetic: Path, tmp_path: Path
    ) -> None:
        """The PDF carries the Arabic, Hebrew, Armenian, Russian and Azerbaijani names as text
        (pdftotext finds them), in the DejaVu fonts, every page renders to a non-blank image,
        and a second run gives the same PDF bytes."""
        out = cli.tmp / "s.pdf"
        code, _, err = cli("report", "--at", "2024-03-10T12:00+02:00", "--days", "12",
                           "--case", str(synthetic), "--out", str(out))  # fmt: skip
        assert code == 0, err
        text = pdf_text(out)
        for name in ("East Gate", "باب الشرق", "שער המזרח", "مدينة النهر", "עיר הנהר",
                     "Քաղաք", "Город", "Şəhər", "Synthetic case"):  # fmt: skip
            assert name in text, name
        fonts = subprocess.run(["pdffonts", str(out)], check=True, capture_output=True).stdout
        assert b"DejaVu" in fonts
        ink = pages_ink(out, tmp_path)
        assert ink and all(n > 500 for n in ink), ink
        again = cli.tmp / "again.pdf"
        assert cli("report", "--at", "2024-03-10T12:00+02:00", "--days", "12",
                   "--case", str(synthetic), "--out", str(again))[0] == 0  # fmt: skip
        assert again.read_bytes() == out.read_bytes()  # its dates are the checkpoint's


def test_json_of_checkpoints_is_what_the_report_cites(cli: Cli, lachin: str) -> None:
    """The checkpoint list the tests compare against is the log's own (a sanity check of the
    fixture: three signed sizes, 0, 93 and 104)."""
    assert sorted(checkpoints(cli, lachin)) == [0, 93, 104]
