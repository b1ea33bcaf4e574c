"""Text encodings: byte-order marks, UTF-8 first, the mapping's encoding, detection that is sure
of itself (Arabic, Russian, Azerbaijani in their Windows code pages), and refusal otherwise."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.errors import InputError
from corridor.ingest import open_table
from corridor.ingest.readers.encoding import choose_encoding

WriteCsv = Callable[..., Path]

ARABIC = """\
date,place,trucks,note
2023-10-21,معبر رفح,20,دخلت الشاحنات عبر المعبر بعد تأخير طويل عند نقطة التفتيش
2023-10-22,كرم أبو سالم,0,المعبر مغلق طوال اليوم ولم تدخل أي شاحنة
2023-10-23,خان يونس,12,وصلت المساعدات الغذائية والمياه إلى المخازن في المدينة
2023-10-24,دير البلح,7,تم تفريغ الشاحنات وتوزيع الطحين على العائلات النازحة
"""
RUSSIAN = """\
date,place,trucks,note
2023-07-01,Лачин,3,Грузовики прошли через контрольно-пропускной пункт после долгой проверки
2023-07-02,Степанакерт,0,"Дорога закрыта весь день, ни одна машина не проехала"
2023-07-03,Горис,5,"Гуманитарный груз доставлен на склад, мука и лекарства"
2023-07-04,Корнидзор,2,Колонна ждала на мосту шесть часов под дождём
"""
# Windows-1254 (Turkish) has every Azerbaijani Latin letter but the schwa; files from such
# systems write 'e' for it, as here.
AZERBAIJANI = """\
date,place,trucks,note
2023-07-01,Şuşa,3,"Yük maşınları körpüden keçdi, yol açıq idi"
2023-07-02,Ağdam,0,"Yol bütün gün bağlı qaldı, heç bir maşın keçmedi"
2023-07-03,Laçın,5,"Un ve dermanlar anbara çatdırıldı, yoxlama uzun çekdi"
2023-07-04,Xocalı,2,Karvan körpünün yanında altı saat gözledi
"""

FRENCH = """\
date,place,trucks,note
2023-07-01,Café de la Gare,3,Les camions sont passés après une longue vérification à l'entrée
2023-07-02,Château-Thierry,0,"La route était fermée toute la journée, aucun véhicule n'est entré"
2023-07-03,Bâle,4,Les colis ont été déchargés à côté du dépôt près de la frontière
"""


def _notes(text: str) -> list[str]:
    return [line.split(",", 3)[3].strip('"') for line in text.splitlines()[1:]]


def _places(text: str) -> list[str]:
    return [line.split(",")[1] for line in text.splitlines()[1:]]


class TestDetection:
    @pytest.mark.parametrize(
        ("text", "encoding"),
        [(ARABIC, "cp1256"), (RUSSIAN, "cp1251"), (AZERBAIJANI, "cp1254"), (FRENCH, "cp1252")],
        ids=["arabic-cp1256", "russian-cp1251", "azerbaijani-cp1254", "french-cp1252"],
    )
    def test_legacy_code_page_is_detected(
        self, write_csv: WriteCsv, text: str, encoding: str
    ) -> None:
        """Place names and notes in a Windows code page arrive as written, not garbled, and the
        table says the encoding was detected."""
        p = write_csv(text, encoding=encoding)
        t = open_table(p)
        rows = [r for _, r in t.rows()]
        assert [r["place"] for r in rows] == _places(text)
        assert [r["note"] for r in rows] == _notes(text)
        assert t.encoding_source == "detected"
        assert codecs.lookup(t.encoding or "").name == codecs.lookup(encoding).name

    def test_notes_only_cyrillic(self, write_csv: WriteCsv) -> None:
        """Russian notes beside ASCII columns read as Windows-1251, not Mac Cyrillic (which
        charset-normalizer scores as more coherent here, and which garbles capitals)."""
        body = "".join(f'2023-07-0{i},{i},"{n}"\n' for i, n in enumerate(_notes(RUSSIAN), 1))
        p = write_csv("date,n,note\n" + body, encoding="cp1251")
        assert [r["note"] for _, r in open_table(p).rows()] == _notes(RUSSIAN)

    def test_detected_far_into_the_file(self, write_csv: WriteCsv) -> None:
        """Detection looks at every line with non-ASCII bytes, not only the start of the file."""
        ascii_rows = "".join(f"2023-06-{1 + i % 28:02},Gate,{i},ok\n" for i in range(3000))
        body = RUSSIAN.split("\n", 1)
        p = write_csv(body[0] + "\n" + ascii_rows + body[1], encoding="cp1251")
        rows = [r for _, r in open_table(p).rows()]
        assert rows[-4]["place"] == "Лачин"

    def test_short_text_is_refused(self, write_csv: WriteCsv) -> None:
        """A few legacy words are too little to be sure of: refused, naming the file and the
        mapping setting, never guessed."""
        p = write_csv("place,n\nЛачин,1\nГорис,2\n", encoding="cp1251")
        with pytest.raises(InputError) as err:
            open_table(p)
        assert str(err.value).startswith("counts.csv: ")
        assert "too little text" in str(err.value) and "set 'encoding:'" in str(err.value)

    def test_short_text_with_the_mapping_encoding(self, write_csv: WriteCsv) -> None:
        """The same short file reads as written when the mapping names its encoding."""
        p = write_csv("place,n\nЛачин,1\nГорис,2\n", encoding="cp1251")
        t = open_table(p, encoding="cp1251")
        assert [r["place"] for _, r in t.rows()] == ["Лачин", "Горис"]
        assert t.encoding_source == "mapping"

    def test_binary_is_refused(self, tmp_path: Path) -> None:
        """Bytes that are text in no encoding are refused, naming the file."""
        p = tmp_path / "blob.csv"
        p.write_bytes(bytes(range(256)) * 64)
        with pytest.raises(InputError, match=r"^blob\.csv: "):
            open_table(p)


class TestOrder:
    def test_utf8_wins_over_the_mapping(self, write_csv: WriteCsv) -> None:
        """A file that is valid UTF-8 throughout is read as UTF-8 even if the mapping names a
        legacy encoding (valid UTF-8 is practically never an accident)."""
        p = write_csv(RUSSIAN)
        t = open_table(p, encoding="cp1251")
        assert (t.encoding, t.encoding_source) == ("utf-8", "utf-8")
        assert [r["place"] for _, r in t.rows()] == _places(RUSSIAN)

    def test_mapping_wins_over_detection(self, write_csv: WriteCsv) -> None:
        """A non-UTF-8 file is read in the mapping's encoding, without detection."""
        p = write_csv(RUSSIAN, encoding="koi8-r")
        t = open_table(p, encoding="koi8-r")
        assert (t.encoding, t.encoding_source) == ("koi8-r", "mapping")

    @pytest.mark.parametrize(
        ("bom", "codec", "expected"),
        [
            (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
            (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
            (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
        ],
    )
    def test_byte_order_mark(
        self, tmp_path: Path, bom: bytes, codec: str, expected: str
    ) -> None:
        """A byte-order mark decides, before anything else (even a mapping's encoding)."""
        p = tmp_path / "bom.csv"
        p.write_bytes(bom + ARABIC.encode(codec))
        t = open_table(p, encoding="cp1256")
        assert (t.encoding, t.encoding_source) == (expected, "bom")
        assert [r["place"] for _, r in t.rows()] == _places(ARABIC)

    def test_plain_ascii_is_utf8(self, write_csv: WriteCsv) -> None:
        """Plain ASCII is UTF-8."""
        assert choose_encoding(write_csv("a,b\n1,2\n"), None) == ("utf-8", "utf-8")


class TestNeverATraceback:
    @settings(max_examples=50, deadline=None)
    @given(st.binary(max_size=2000))
    def test_any_bytes(self, tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
        """Whatever the bytes, the encoding is chosen or refused with an InputError."""
        p = tmp_path_factory.mktemp("enc") / "f.csv"
        p.write_bytes(data)
        try:
            enc, _how = choose_encoding(p, None)
        except InputError:
            return
        codecs.lookup(enc)
