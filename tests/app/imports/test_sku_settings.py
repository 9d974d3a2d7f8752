"""CSV import of SKU settings: all-or-nothing, errors name the line and the column."""

from __future__ import annotations

from app.models import Product


def _post(web, token, body: bytes, name: str = "settings.csv"):
    # The multipart body is built here as bytes: the test client would spool a large one to a
    # temporary file it never closes (a ResourceWarning, which this suite treats as an error).
    boundary = "----fba-test-boundary"
    csrf = token(web, "/skus/import")
    payload = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{csrf}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + body
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return web.post(
        "/skus/import", data=payload, content_type=f"multipart/form-data; boundary={boundary}"
    )


def _state(db_session, seeded):
    db_session.expire_all()
    return [
        (
            p.sku,
            p.unit_cost,
            p.case_pack,
            p.moq,
            p.lead_time_production_days,
            p.lead_time_transit_days,
            p.prep_owner,
        )
        for p in (db_session.get(Product, x.id) for x in seeded["products"])
    ]


def test_a_valid_file_updates_every_row(web, seeded, db_session, token) -> None:
    body = (
        b"SKU,Unit Cost,lead_time_days,case_pack,moq,prep_owner,label_owner\r\n"
        b"ACM-0000,3.50,60,12,24,amazon,SELLER\r\n"
        b"ACM-0001,$1,234.5,,6,,NONE,\r\n"
    )
    # "$1,234.5" would be split by the comma; quote it as a spreadsheet does.
    body = body.replace(b"$1,234.5", b'"$1,234.5"')
    response = _post(web, token, b"\xef\xbb\xbf" + body)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    db_session.expire_all()
    a = db_session.get(Product, seeded["products"][0].id)
    b = db_session.get(Product, seeded["products"][1].id)
    assert (
        a.unit_cost,
        a.lead_time_days,
        a.lead_time_transit_days,
        a.case_pack,
        a.moq,
        a.prep_owner,
    ) == (3.5, 60, 0, 12, 24, "AMAZON")
    assert (b.unit_cost, b.case_pack, b.prep_owner) == (1234.5, 6, "NONE")
    assert b.lead_time_days == 42  # empty cell: unchanged


def test_one_bad_row_saves_nothing_and_names_line_and_column(
    web, seeded, db_session, token
) -> None:
    before = _state(db_session, seeded)
    body = (
        b"sku,unit_cost,case_pack,moq,prep_owner\n"
        b"ACM-0000,2.00,12,24,SELLER\n"
        b"ACM-0001,abc,0,5,SELLER\n"
        b"NOPE-1,1,1,1,SELLER\n"
        b"ACM-0002,1,1,1,ROBOT\n"
        b"ACM-0000,1,1,1,SELLER\n"
    )
    response = _post(web, token, body)
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 422
    assert "Nothing was imported" in page
    assert "line 3, column unit_cost: 'abc' is not an amount" in page
    assert "line 3, column case_pack: 0 is outside 1–10,000" in page
    assert "line 4, column sku: unknown SKU 'NOPE-1' for this seller" in page
    assert "line 5, column prep_owner: 'ROBOT' must be one of AMAZON, SELLER, NONE" in page
    assert "line 6, column sku: 'ACM-0000' already on line 2" in page
    assert _state(db_session, seeded) == before


def test_file_level_problems(web, seeded, db_session, token) -> None:
    before = _state(db_session, seeded)
    cases = [
        (b"", "the file is empty"),
        (b"unit_cost\n1\n", "the header needs a sku column"),
        (b"sku,colour\nACM-0000,red\n", "column colour: unknown column"),
        (b"sku,moq\n", "has a header but no rows"),
        (b"sku,moq\n\xff\xfe\n", "not UTF-8"),
        (
            b"sku,lead_time_days,lead_time_transit_days\nACM-0000,30,10\n",
            "give either the total or all three parts",
        ),
        (b"sku,moq\n" + b"ACM-0000,1\n" * 100_000, "larger than 1024 KB"),
    ]
    for body, message in cases:
        response = _post(web, token, body)
        assert response.status_code == 422, message
        assert message in response.get_data(as_text=True).replace("&#39;", "'"), message
    missing = web.post(
        "/skus/import",
        data={"csrf_token": token(web, "/skus/import")},
        content_type="multipart/form-data",
    )
    assert missing.status_code == 422 and "Choose a CSV file." in missing.get_data(as_text=True)
    assert _state(db_session, seeded) == before


def test_parse_limits_rows() -> None:
    from app.imports import sku_settings

    rows, errors = sku_settings.parse(b"sku\n" + b"A\n" * (sku_settings.MAX_ROWS + 1))
    assert rows == [] and "more than 20,000 rows" in str(errors[0])
