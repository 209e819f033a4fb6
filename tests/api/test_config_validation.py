"""Bad config input is refused with a 422 (or 400/413/415) naming the problem; nothing changes."""

import pytest

CONFIG = "/api/v1/voice-widget/config"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"primary_color": "indigo"}, "primary_color"),
        ({"primary_color": "#6366F"}, "primary_color"),
        ({"primary_color": "#GGGGGG"}, "primary_color"),
        ({"modes": ["voice", "video"]}, "modes"),
        ({"modes": []}, "modes"),
        ({"modes": "chat"}, "modes"),
        ({"position": "top-left"}, "position"),
        ({"allowed_domains": ["exa mple.com"]}, "allowed_domains"),
        ({"allowed_domains": ["*"]}, "allowed_domains"),
        ({"allowed_domains": ["*.com"]}, "allowed_domains"),
        ({"allowed_domains": ["foo.*.example.com"]}, "allowed_domains"),
        ({"allowed_domains": ["-bad-.example.com"]}, "allowed_domains"),
        ({"allowed_domains": "example.com"}, "allowed_domains"),
        ({"allowed_domains": [42]}, "allowed_domains"),
        ({"colour": "#FFFFFF"}, "colour"),
        ({"widget_id": "wgt_mine"}, "widget_id"),
        ({"greeting": 12}, "greeting"),
        ({"greeting": ""}, "greeting"),
        ({"greeting": "x" * 501}, "greeting"),
        ({"allow_anonymous": "yes"}, "allow_anonymous"),
        ({"name": None}, "name"),
    ],
)
def test_invalid_field_is_422_naming_it(client, headers, body, field):
    before = client.get(CONFIG, headers=headers).get_json()
    response = client.put(CONFIG, json={"greeting": "Changed?", **body}, headers=headers)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["field"] == field
    assert problem["code"] == "validation_error"
    assert {"type", "title", "status", "detail"} <= set(problem)
    assert client.get(CONFIG, headers=headers).get_json() == before


def test_body_that_is_not_an_object(client, headers):
    response = client.put(CONFIG, json=["greeting"], headers=headers)
    assert response.status_code == 422
    assert response.get_json()["field"] == "body"


def test_non_json_body(client, headers):
    response = client.put(CONFIG, data="greeting=hi", headers={**headers, "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415
    assert response.mimetype == "application/problem+json"


def test_broken_json(client, headers):
    response = client.put(CONFIG, data='{"greeting": ', headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["code"] == "malformed_json"


def test_huge_body_is_413(client, headers):
    response = client.put(CONFIG, json={"greeting": "x" * 200_000}, headers=headers)
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_huge_body_over_the_wire_is_413(live_server, headers):
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        live_server + CONFIG,
        data=b'{"greeting": "' + b"x" * 2_000_000 + b'"}',
        method="PUT",
        headers={**headers, "Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    with refused.value as error:
        assert error.code == 413
        assert error.headers.get_content_type() == "application/problem+json"
