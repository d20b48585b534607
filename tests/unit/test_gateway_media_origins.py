"""The origin allowlist for gateway media: how URLs are read, what is refused, who gets WAHA's key.

No network: an httpx MockTransport records what would have been sent, so "refused" means no
request at all.
"""

from __future__ import annotations

import httpx
import pytest
from pydantic import ValidationError

from atalaia.connectors.gateway_media import GatewayMediaClient, GatewayMediaError, MediaPolicy, origin_of, parse_origin
from atalaia.domain.enums import Provider
from atalaia.jobs.gateway_source import media_policy, media_url
from atalaia.settings import Settings

MINIO = "https://minio.empresa.com.br:443"


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://MinIO.Empresa.com.br/bucket/x.jpg", MINIO),
        ("https://minio.empresa.com.br:443/x", MINIO),
        ("http://waha:3000/api/files/s/x.jpg", "http://waha:3000"),
        ("http://waha/x", "http://waha:80"),
        ("http://[::1]:8080/x", "http://[::1]:8080"),
        ("https://bücher.de/x", "https://xn--bcher-kva.de:443"),
        ("http://minio.empresa.com.br@evil.example/x", "http://evil.example:80"),  # userinfo is not the host
        ("ftp://minio.empresa.com.br/x", None),
        ("file:///etc/passwd", None),
        ("//minio.empresa.com.br/x", None),
        ("http:///x", None),
        ("http://h:0/x", None),
        ("http://h:99999/x", None),
        ("http://a\nb/", None),
    ],
)
def test_an_origin_is_read_as_httpx_will_connect(url: str, origin: str | None) -> None:
    assert origin_of(url) == origin


@pytest.mark.parametrize("value", ["https://minio/bucket", "https://u:p@minio", "https://minio/?a=1", "minio:9000", ""])
def test_a_configured_origin_is_only_scheme_host_and_port(value: str) -> None:
    with pytest.raises(ValueError, match="not"):
        parse_origin(value)


def test_origins_are_read_from_a_comma_separated_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATALAIA_GATEWAY_MEDIA_ORIGINS", " https://MinIO.empresa.com.br/ , http://waha:3000,")
    assert Settings().gateway_media_origins == (MINIO, "http://waha:3000")
    monkeypatch.setenv("ATALAIA_GATEWAY_MEDIA_ORIGINS", "https://minio.empresa.com.br/evolution")
    with pytest.raises(ValidationError, match="is not an origin"):
        Settings()


def recording_client(policy: MediaPolicy, seen: list[httpx.Request]) -> GatewayMediaClient:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"bytes", headers={"Content-Type": "image/jpeg; q=1"})

    return GatewayMediaClient(policy, client=httpx.Client(transport=httpx.MockTransport(answer)))


@pytest.mark.parametrize(
    "url",
    [
        "http://evil.example/x",
        "https://minio.empresa.com.br@evil.example/x",
        "https://evil.example/x#@minio.empresa.com.br",
        "https://evil.example\\@minio.empresa.com.br/x",
        "https://minio.empresa.com.br.evil.example/x",
        "https://minio.empresa.com.br:8443/x",
        "http://minio.empresa.com.br/x",  # same host, another scheme
        "https://user:pass@minio.empresa.com.br/x",  # allowed host, but credentials in the URL
        "gopher://minio.empresa.com.br/x",
        "not a url",
    ],
)
def test_anything_but_an_allowed_origin_is_refused_before_any_request(url: str) -> None:
    seen: list[httpx.Request] = []
    client = recording_client(MediaPolicy(frozenset({MINIO}), max_bytes=1024), seen)
    with pytest.raises(GatewayMediaError) as caught:
        client.download(url)
    assert (caught.value.permanent, caught.value.status) == (True, "refused")
    assert seen == []


def test_an_allowed_url_is_fetched_with_its_origin_headers_only() -> None:
    seen: list[httpx.Request] = []
    waha = "http://waha:3000"
    policy = MediaPolicy(frozenset({MINIO, waha}), max_bytes=1024, headers={waha: {"X-Api-Key": "k"}})
    client = recording_client(policy, seen)
    fetched = client.download("https://minio.empresa.com.br/b/x.jpg?X-Amz-Signature=abc")
    client.download("http://waha:3000/api/files/s/x.jpg")
    assert (fetched.data, fetched.mime_type) == (b"bytes", "image/jpeg")
    assert [r.headers.get("x-api-key") for r in seen] == [None, "k"]
    assert all(r.headers["accept-encoding"] == "identity" for r in seen)


def test_a_declared_length_past_the_cap_is_refused_unread() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": "4096"}, stream=httpx.ByteStream(b"x" * 4096))

    client = GatewayMediaClient(MediaPolicy(frozenset({MINIO}), max_bytes=1024),
                                client=httpx.Client(transport=httpx.MockTransport(answer)))  # fmt: skip
    with pytest.raises(GatewayMediaError) as caught:
        client.download(f"{MINIO}/x")
    assert (caught.value.permanent, caught.value.status) == (True, "too_large")


def test_wahas_key_goes_to_waha_alone_and_evolution_lines_cannot_reach_waha() -> None:
    settings = Settings(gateway_media_origins=(MINIO,), waha_url="http://waha:3000/", waha_api_key="segredo")
    waha = media_policy(settings, Provider.WAHA)
    evolution = media_policy(settings, Provider.EVOLUTION)
    assert waha.origins == {MINIO, "http://waha:3000"}
    assert waha.headers == {"http://waha:3000": {"X-Api-Key": "segredo"}}
    assert (evolution.origins, evolution.headers) == ({MINIO}, {})
    assert "segredo" not in repr(settings)


def test_the_raw_body_completes_a_url_the_column_cut_and_nothing_else() -> None:
    full = f"{MINIO}/evolution/x.jpeg?X-Amz-Signature=" + "ab" * 32
    raw = {"message": {"mediaUrl": full}}
    assert media_url(full[:200], raw=raw, provider=Provider.EVOLUTION) == full
    assert media_url(f"{MINIO}/other.jpeg", raw=raw, provider=Provider.EVOLUTION) == f"{MINIO}/other.jpeg"
    assert media_url("http://waha:3000/a", raw={"media": {"url": "http://waha:3000/a.jpg"}},
                     provider=Provider.WAHA) == "http://waha:3000/a.jpg"  # fmt: skip
    assert media_url("http://waha:3000/a", raw=None, provider=Provider.WAHA) == "http://waha:3000/a"
