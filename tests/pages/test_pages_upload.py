"""AppTests of the upload and import-history pages, started from app.py.

Streamlit 1.67's AppTest uploads files itself (``at.file_uploader(key=...).set_value((name, bytes, mime))``),
so these tests go through the real ``st.file_uploader`` inside the real form: no stand-in for the upload.
Setup that is not under test (earlier imports, demo data) goes straight through ``loaders.ingest``,
the same code path the pages use.
"""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from loaders.core.i18n import translate
from loaders.core.writers import table_to_csv
from loaders.ingest.commit import ImportOutcome, commit_import, import_frames
from loaders.ingest.history import list_imports, rollback_import
from loaders.ingest.preview import ImportRequest, preview_import
from loaders.store import db, reads, tables
from tests.support.apptest import table_with
from tests.support.files import csv_bytes, xlsx_bytes
from ui.parts import upload as up

#: Seconds per script run of this module's ``app_test`` sessions.
APPTEST_TIMEOUT = 90
USER = "t"
DENIED = translate("access.denied", "vi")

INCIDENTS_HEADER = [
    "STT",
    "Mã vụ việc",
    "Ngày",
    "Mã xã",
    "Tên xã",
    "Huyện (cũ)",
    "Lĩnh vực",
    "Mức độ",
    "Vĩ độ",
    "Kinh độ",
    "Mô tả",
]
MODELS_HEADER = [
    "Tên xã/phường",
    "Huyện (cũ)",
    "Tên mô hình",
    "Loại mô hình",
    "Nơi triển khai",
    "Ngày thành lập",
    "Trạng thái",
]


def incidents_csv(
    codes: list[str],
    *,
    field: str = "Hình sự",
    extra: list[list[str]] | None = None,
    header: list[str] = INCIDENTS_HEADER,
) -> bytes:
    """Valid incidents in Xã Kỳ Tân (an unsplit legacy commune), one per code; ``extra`` rows as given.

    UTF-8 with LF line ends, as the upload tests have always sent.
    """
    rows = [header]
    rows += [
        [str(i), c, "15/03/2024", "", "Xã Kỳ Tân", "Huyện Kỳ Anh", field, "nghiêm trọng", "", "", f"ghi chú {c}"]
        for i, c in enumerate(codes, start=1)
    ]
    rows += extra or []
    return csv_bytes(rows, newline="\n")


def models_csv(names: list[str]) -> bytes:
    rows = [MODELS_HEADER]
    rows += [["Xã Kỳ Tân", "Huyện Kỳ Anh", n, "tự quản", "khu dân cư", "01/02/2021", "đang hoạt động"] for n in names]
    return csv_bytes(rows, newline="\n")


# Query results and the engine follow each test's own store (clear_data_caches).
pytestmark = pytest.mark.usefixtures("fresh_data_caches")


@pytest.fixture
def app(app_test):
    """``app(role="editor", page=None)``: the app run by ``USER`` of ``role``, on ``page``, without an exception."""

    def build(role: str = "editor", page: str | None = None) -> AppTest:
        at = app_test(role=role, user=USER, page=page)
        assert not at.exception
        return at

    return build


def upload(
    at: AppTest,
    name: str,
    data: bytes,
    *,
    dataset: str | None = None,
    valid_only: bool = False,
    force: bool = False,
    sheet: str | None = None,
) -> AppTest:
    """Choose the dataset, put the file into the form's uploader, tick options and press "Kiểm tra tệp"."""
    if dataset is not None:
        at.selectbox(key="upload_dataset").set_value(dataset).run()
    at.file_uploader(key=f"upload_file_{at.session_state[up.NONCE_KEY]}").set_value((name, data, "text/csv"))
    if sheet is not None:
        at.selectbox(key="upload_sheet").set_value(sheet)
    at.checkbox(key="upload_valid_only").set_value(valid_only)
    at.checkbox(key="upload_force").set_value(force)
    at.button(key="upload_submit").click()
    at.run()
    assert not at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def counts(at: AppTest) -> tuple[int, int, int]:
    m = metrics(at)
    return tuple(int(m[translate(f"upload.preview.{k}", "vi")]) for k in ("read", "accepted", "rejected"))


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def table_with_key(at: AppTest, column_key: str) -> pd.DataFrame:
    """The first table showing the catalogue column ``column_key`` (in Vietnamese)."""
    return table_with(at, translate(column_key, "vi"))


def has_widget(at: AppTest, kind: str, key: str) -> bool:
    return any(w.key == key for w in getattr(at, kind))


def imports() -> pd.DataFrame:
    return list_imports(db.get_engine())


def stored(table: sa.Table) -> int:
    with db.get_engine().connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def events(action: str) -> list[sa.Row]:
    with db.get_engine().connect() as conn:
        return conn.execute(sa.select(tables.events).where(tables.events.c.action == action)).all()


def commit(registry, dataset: str, data: bytes, name: str, **kw) -> ImportOutcome:
    engine = db.get_engine()
    request = ImportRequest(dataset=dataset, data=data, file_name=name, user="setup")
    preview = preview_import(engine, request, registry=registry)
    return commit_import(engine, preview, user="setup", **kw)


# ------------------------------------------------------------------ happy path
def test_upload_preview_confirm_then_the_map_shows_the_data(app, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_preview = preview_import

    def counting_preview(*args, **kwargs):
        calls.append(args[1].file_name)  # (engine, ImportRequest)
        return real_preview(*args, **kwargs)

    monkeypatch.setattr("ui.parts.upload.preview_import", counting_preview)
    at = app()
    coverage, all_kinds = (translate(f"kpi.{k}", "vi") for k in ("area_coverage", "units_all_kinds"))
    assert metrics(at)[coverage] == translate("common.no_data", "vi") and metrics(at)[all_kinds] == "0/0"

    at.switch_page("pages/upload.py").run()
    assert not at.exception and has_widget(at, "file_uploader", "upload_file_0")
    assert f"{up.upload_limit_mb()} MB" in " ".join(c.value for c in at.caption)
    upload(at, "mo_hinh.csv", models_csv(["Tổ tự quản thôn 1", "Tổ tự quản thôn 2"]), dataset="models")
    assert counts(at) == (2, 2, 0)
    assert calls == ["mo_hinh.csv"]
    assert imports().empty and stored(tables.models) == 0  # nothing is written before the confirmation

    # Reruns, and a re-submit of the same file with only a commit option changed, do not validate again.
    at.run()
    upload(at, "mo_hinh.csv", models_csv(["Tổ tự quản thôn 1", "Tổ tự quản thôn 2"]), valid_only=True)
    assert calls == ["mo_hinh.csv"] and counts(at) == (2, 2, 0)

    fetched: list[frozenset[int]] = []
    real_read = reads._read_rows
    monkeypatch.setattr(reads, "_read_rows", lambda conn, ds, ids: fetched.append(ids) or real_read(conn, ds, ids))
    at.button(key="upload_confirm").click().run()
    assert not at.exception
    history = imports()
    assert len(history) == 1 and history.loc[0, "rows_accepted"] == 2 and history.loc[0, "user_name"] == USER
    # The committing run already read the new import's rows, and only those.
    assert fetched == [frozenset({int(history.loc[0, "id"])})]
    import_id = int(history.loc[0, "id"])
    assert any(f"lần nhập số {import_id}" in s.value for s in at.success)
    assert stored(tables.models) == 2
    assert [e.user_name for e in events("import")] == [USER]
    assert not has_widget(at, "button", "upload_confirm")  # the preview was cleared
    assert at.session_state[up.NONCE_KEY] == 1  # the uploader was emptied (new widget key)

    # The home page shows the new data at once: the cache keys carry the data version, nothing was cleared.
    at.switch_page("pages/coverage_map.py").run()
    assert not at.exception and len(fetched) == 1  # the page found the datasets ready
    assert metrics(at)[all_kinds] == "0/1"  # one commune now has models (of one kind only)
    # Coverage counts thôn/TDP of a list: models alone, with no list imported, cover nothing yet.
    assert metrics(at)[coverage] == translate("common.no_data", "vi")


# --------------------------------------------------------------- error report
def test_error_file_shows_row_column_value_and_exports_safely(app, monkeypatch: pytest.MonkeyPatch) -> None:
    exported: list[pd.DataFrame] = []
    real_downloads = up.render_downloads

    def spy(frame, context, name, key_prefix):
        exported.append(frame)
        real_downloads(frame, context, name, key_prefix)

    monkeypatch.setattr(up, "render_downloads", spy)
    hostile = "=1+2"  # a spreadsheet would run it as a formula
    data = incidents_csv(
        ["VV-1", "VV-2"],
        extra=[
            ["3", "VV-3", "15/03/2024", "", "Xã Kỳ Tân", "Huyện Kỳ Anh", hostile, "", "", "", ""],
            ["Tổng cộng", "", "", "", "", "", "", "", "", "", ""],
        ],
    )
    at = app(page="pages/upload.py")
    upload(at, "vu_viec.csv", data, dataset="incidents")
    assert counts(at) == (3, 2, 1)
    table = table_with_key(at, "validation.col.message")
    row = table.iloc[0]
    assert row[translate("validation.col.row", "vi")] == 4  # header is row 1, so the third data row is row 4
    assert row[translate("validation.col.column", "vi")] == "Lĩnh vực"
    assert row[translate("validation.col.value", "vi")] == hostile
    assert "Lĩnh vực" in row[translate("validation.col.message", "vi")]
    assert "STT" in [x.value for x in at.text]  # the ignored column is listed
    assert any("5" in c.value and "tổng cộng" in c.value.lower() for c in at.caption)  # dropped totals row
    # All or nothing: with a rejected row the confirmation is disabled until "valid rows only" is chosen.
    assert at.button(key="upload_confirm").disabled
    assert has_widget(at, "download_button", "upload_errors_csv")
    assert has_widget(at, "download_button", "upload_errors_xlsx")
    csv_text = table_to_csv(exported[-1]).decode("utf-8-sig")
    assert "'=1+2" in csv_text and "\n4," in csv_text.replace("\r\n", "\n")

    upload(at, "vu_viec.csv", data, valid_only=True)
    assert not at.button(key="upload_confirm").disabled
    at.button(key="upload_confirm").click().run()
    assert stored(tables.incidents) == 2
    import_id = int(imports().loc[0, "id"])

    # The report stays with the import and shows on the history page.
    at.switch_page("pages/import_history.py").run()
    at.selectbox(key="history_import").set_value(import_id).run()
    assert not at.exception
    report = table_with_key(at, "validation.col.message")
    assert report.iloc[0][translate("validation.col.row", "vi")] == 4
    assert report.iloc[0][translate("validation.col.value", "vi")] == hostile
    assert has_widget(at, "download_button", "history_original")


def test_unreadable_file_is_refused_with_a_message(app) -> None:
    at = app(page="pages/upload.py")
    upload(at, "rac.csv", b"\x00\x01\x02garbage\x00" * 20, dataset="incidents")
    assert errors(at) and "rac" in errors(at)[0]
    assert not has_widget(at, "button", "upload_confirm") and imports().empty


def test_workbook_sheet_is_chosen_once_the_sheets_are_known(app) -> None:
    rows = [
        ["Danh sách mô hình năm 2025"],
        [],
        MODELS_HEADER,
        ["Xã Kỳ Tân", "Huyện Kỳ Anh", "Tổ tự quản thôn 1", "tự quản", "khu dân cư", "01/02/2021", "đang hoạt động"],
        ["Tổng cộng"],
    ]
    data = xlsx_bytes({"Ghi chú": [[None]], "Dữ liệu": rows})
    at = app(page="pages/upload.py")
    assert not has_widget(at, "selectbox", "upload_sheet")
    upload(at, "mo_hinh.xlsx", data, dataset="models")
    assert errors(at) and not has_widget(at, "button", "upload_confirm")  # the first sheet is empty
    assert at.selectbox(key="upload_sheet").options == ["(trang đầu tiên)", "Ghi chú", "Dữ liệu"]

    upload(at, "mo_hinh.xlsx", data, sheet="Dữ liệu")
    assert not errors(at)
    assert counts(at) == (1, 1, 0)
    assert any("5" in c.value and "tổng cộng" in c.value.lower() for c in at.caption)  # row 5 dropped
    at.button(key="upload_confirm").click().run()
    assert stored(tables.models) == 1


# ------------------------------------------------------------------ duplicates
def test_reuploaded_file_is_refused_naming_the_earlier_import_then_forced(app, registry) -> None:
    # b.csv went in with VV-1 rejected (import a.csv held it); a.csv was then rolled back, so importing
    # b.csv again is what the user means: the hash check refuses it until they force it.
    first = commit(registry, "incidents", incidents_csv(["VV-1"]), "a.csv")
    b = incidents_csv(["VV-1", "VV-2"])
    second = commit(registry, "incidents", b, "b.csv", valid_only=True)
    assert second.written == 1
    rollback_import(db.get_engine(), first.import_id, "setup")

    at = app(page="pages/upload.py")
    upload(at, "b lan 2.csv", b, dataset="incidents", valid_only=True)
    message = " ".join(errors(at))
    assert f"lần nhập số {second.import_id}" in message and "b\\.csv" in message
    assert not has_widget(at, "button", "upload_confirm")
    assert len(imports()) == 2

    at.button(key="upload_force_confirm").click().run()
    assert not errors(at)
    assert counts(at) == (2, 1, 1)  # VV-2 is stored by b.csv already, VV-1 is free again
    at.button(key="upload_confirm").click().run()
    assert not at.exception
    latest = imports().iloc[0]
    assert latest["forced"] and latest["rows_accepted"] == 1 and latest["status"] == tables.IMPORT_COMMITTED
    assert stored(tables.incidents) == 2


# ------------------------------------------------------------------- mapping
def test_mapping_step_for_a_file_lacking_a_required_header(app) -> None:
    data = incidents_csv(["VV-1"], header=[h.replace("Lĩnh vực", "Loai vu") for h in INCIDENTS_HEADER])
    at = app(page="pages/upload.py")
    upload(at, "vu_viec.csv", data, dataset="incidents")
    box = at.selectbox(key="upload_map_linh_vuc")
    assert box.label == "Lĩnh vực" and "Loai vu" in box.options
    assert at.button(key="upload_confirm").disabled

    box.set_value("Loai vu")
    at.button(key="upload_map_apply").click().run()
    assert not at.exception
    assert not has_widget(at, "selectbox", "upload_map_linh_vuc")
    assert counts(at) == (1, 1, 0)
    at.button(key="upload_confirm").click().run()
    assert stored(tables.incidents) == 1


# ------------------------------------------------------------------ rollback
def test_rollback_from_history_removes_exactly_that_import_and_a_second_is_refused(app, registry) -> None:
    a = commit(registry, "incidents", incidents_csv(["A-1", "A-2"]), "a.csv")
    b = commit(registry, "models", models_csv(["Tổ tự quản thôn 9"]), "m.csv")
    at = app(page="pages/import_history.py")
    listed = table_with_key(at, "history.col.id")
    assert sorted(listed[translate("history.col.id", "vi")]) == [a.import_id, b.import_id]

    at.selectbox(key="history_import").set_value(a.import_id).run()
    at.button(key="history_rollback").click().run()
    assert stored(tables.incidents) == 2  # asked for confirmation first
    at.button(key="history_rollback_yes").click().run()
    assert not at.exception
    assert stored(tables.incidents) == 0 and stored(tables.models) == 1
    assert any(f"số {a.import_id}" in s.value for s in at.success)
    assert [e.user_name for e in events("rollback")] == [USER]
    assert not has_widget(at, "button", "history_rollback")  # rolled back: no second button

    # The same import rolled back meanwhile from another session: confirming shows the importer's refusal.
    at.selectbox(key="history_import").set_value(b.import_id).run()
    at.button(key="history_rollback").click().run()
    rollback_import(db.get_engine(), b.import_id, "other")
    at.button(key="history_rollback_yes").click().run()
    assert not at.exception
    assert any("đã được hoàn tác" in e for e in errors(at))
    assert len(events("rollback")) == 2


# ---------------------------------------------------------------------- demo
def test_demo_data_removed_after_confirmation_and_the_badge_goes(app, registry) -> None:
    demo = pd.DataFrame(
        {
            "ten_xa": ["Xã Kỳ Tân"],
            "huyen_cu": ["Huyện Kỳ Anh"],
            "ten_mo_hinh": ["Tổ mẫu"],
            "loai_mo_hinh": ["tự quản"],
            "noi_trien_khai": ["khu dân cư"],
            "ngay_thanh_lap": ["01/02/2021"],
            "trang_thai": ["đang hoạt động"],
        }
    )
    import_frames(db.get_engine(), {"models": demo}, "setup", is_demo=True, registry=registry)
    badge = translate("demo.badge", "vi")
    at = app(page="pages/upload.py")
    assert any(badge in w.value for w in at.warning)

    at.button(key="upload_demo_remove").click().run()
    assert stored(tables.models) == 1  # only asked
    at.button(key="upload_demo_cancel").click().run()
    assert not has_widget(at, "button", "upload_demo_yes") and stored(tables.models) == 1

    at.button(key="upload_demo_remove").click().run()
    at.button(key="upload_demo_yes").click().run()
    assert not at.exception
    assert stored(tables.models) == 0 and len(events("demo_removed")) == 1
    assert not any(badge in w.value for w in at.warning)


def test_demo_reload_goes_through_the_importer(app, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict] = []

    def fake_load(engine, user, **kw):
        seen.append({"user": user, **kw})
        return {}

    monkeypatch.setattr("ui.parts.upload.load_demo", fake_load)
    at = app(page="pages/upload.py")
    at.button(key="upload_demo_load").click().run()
    assert not seen
    at.button(key="upload_demo_yes").click().run()
    assert not at.exception and [s["user"] for s in seen] == [USER]


# --------------------------------------------------------------------- roles
@pytest.mark.parametrize("role", ["viewer", "analyst"])
@pytest.mark.parametrize("page", ["pages/upload.py", "pages/import_history.py"])
def test_roles_without_import_are_refused_on_both_pages(app, app_test, role: str, page: str) -> None:
    at = app(role)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(page)
    # Run directly, the page checks the role on the server.
    direct = app_test(role=role, user=USER, entry=page)
    assert not direct.exception
    assert errors(direct) == [DENIED]
    assert not direct.file_uploader and not direct.button and not direct.dataframe


@pytest.mark.parametrize("page", ["pages/upload.py", "pages/import_history.py"])
def test_editor_is_not_refused(app_test, page: str) -> None:
    direct = app_test(role="editor", user=USER, entry=page)
    assert not direct.exception and DENIED not in errors(direct)
    assert direct.title


def test_plain_md_escapes_markdown_of_user_text() -> None:
    assert up.plain_md("[x](http://e) *b* :red[z] $a$") == r"\[x\]\(http\://e\) \*b\* \:red\[z\] \$a\$"
