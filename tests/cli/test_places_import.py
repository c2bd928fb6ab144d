"""`flask --app afr_aid places import FILE`: the operator's way to load places."""
from __future__ import annotations

from afr_aid.services.cases import places as places_service


def test_imports_localities(cli, tmp_path):
    path = tmp_path / "places.csv"
    path.write_text("code,name,level,parent\nCD-NK-GOM-KAT,Katindo,locality,CD-NK-GOM\n", encoding="utf-8")
    result = cli("places", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "1 added" in result.output
    assert places_service.get_place("CD-NK-GOM-KAT").parent.code == "CD-NK-GOM"


def test_a_bad_file_is_refused_with_a_message_not_a_traceback(cli, tmp_path):
    cases = {
        "bad_row.csv": ("code,name,level,parent\nCD-NK-GOM-A,Fine,locality,CD-NK-GOM\nbad code,X,locality,CD\n"
                        .encode(), "Line 3"),
        "latin1.csv": ("code,name,level,parent\nCD-NK-GOM-B,Kés,locality,CD-NK-GOM\n".encode("latin-1"), "UTF-8"),
        "columns.csv": (b"code;name;level;parent\nCD-NK-GOM-C;X;locality;CD-NK-GOM\n", "columns"),
    }
    for name, (content, words) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        result = cli("places", "import", str(path))
        assert result.exit_code != 0, name
        assert isinstance(result.exception, SystemExit), (name, repr(result.exception))
        assert "file:" in result.stderr and words in result.stderr, (name, result.output)
    for code in ("CD-NK-GOM-A", "CD-NK-GOM-B", "CD-NK-GOM-C"):
        assert places_service.get_place(code) is None
