"""One tenant's key never reads or changes another tenant's widgets."""

import pytest

NEVER_EXISTED = "wgt_neverexisted0000"


@pytest.fixture
def tenants(make_tenant):
    _, widget_a, key_a = make_tenant("tenant-a")
    _, widget_b, key_b = make_tenant("tenant-b")
    return widget_a, key_a, widget_b, key_b


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/voice-widget/config", None),
        ("put", "/api/v1/voice-widget/config", {"greeting": "Owned"}),
        ("post", "/api/v1/voice-widget/config/regenerate-key", None),
        ("get", "/api/v1/voice-widget/ga-readiness", None),
    ],
)
def test_other_tenants_widget_is_not_found(client, tenants, method, path, body):
    widget_a, key_a, widget_b, key_b = tenants
    public_id_b = widget_b.public_id

    def ask_for(widget_id):
        return getattr(client, method)(f"{path}?widget_id={widget_id}", json=body, headers={"X-API-Key": key_a})

    response = ask_for(public_id_b)
    assert response.status_code == 404
    # Word for word the answer about a widget that never existed (which names the id asked for).
    never_existed = ask_for(NEVER_EXISTED).get_data(as_text=True).replace(NEVER_EXISTED, public_id_b)
    assert response.get_data(as_text=True) == never_existed
    assert widget_b.identity_secret not in response.get_data(as_text=True)
    config_b = client.get("/api/v1/voice-widget/config", headers={"X-API-Key": key_b}).get_json()
    assert config_b["widget_id"] == public_id_b
    assert config_b["greeting"] != "Owned"


def test_each_key_sees_its_own_default_widget(client, tenants):
    widget_a, key_a, widget_b, key_b = tenants
    assert client.get("/api/v1/voice-widget/config", headers={"X-API-Key": key_a}).get_json()["widget_id"] == widget_a.public_id
    assert client.get("/api/v1/voice-widget/config", headers={"X-API-Key": key_b}).get_json()["widget_id"] == widget_b.public_id
