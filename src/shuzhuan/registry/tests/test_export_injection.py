"""XLSX formula injection: an enterprise's own text reaches an officer's export as text, never as a formula."""

import io
import zipfile

from python_calamine import CalamineWorkbook

from shuzhuan.registry.exporting import COLUMNS
from shuzhuan.registry.models import Enterprise

PAYLOAD = '=HYPERLINK("http://x/","y")'


def test_enterprise_export_keeps_a_formula_like_address_as_text(world, login):
    ent = world.enterprises["a"]
    Enterprise.objects.filter(pk=ent.pk).update(address=PAYLOAD, contact_name="+1+1", contact_phone="@SUM(A1)")
    response = login(world.users["city"]).get("/enterprises/export.xlsx")
    assert response.status_code == 200
    data = b"".join(response.streaming_content)

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert sheets
        for name in sheets:
            xml = archive.read(name).decode()
            assert "<f>" not in xml and "<f " not in xml

    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    header = rows[0]
    assert header == [label for label, _field in COLUMNS]
    row = next(r for r in rows[1:] if r[0] == ent.uscc)
    assert row[header.index("地址")] == PAYLOAD
    assert row[header.index("联系人")] == "+1+1" and row[header.index("联系电话")] == "@SUM(A1)"
