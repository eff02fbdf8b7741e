"""Items 5, 7, 12, 13: forwarded headers, the lockout, the cross-org oracle, password hashing and /metrics."""

from __future__ import annotations

import re
import threading

import httpx

from tests.hostile.conftest import ADMIN, METRICS, OUTSIDER, VIEWER, Env, assert_clean


def _user(env: Env, login: str, email: str, password: str) -> None:
    with env.client() as admin:
        made = admin.post("/api/admin/users", json={"login": login, "email": email, "password": password})
        assert made.status_code == 200, made.text


def test_forwarded_for_from_an_untrusted_peer_neither_dodges_nor_lifts_the_lockout(env: Env) -> None:
    _user(env, "locky", "locky@example.com", "right-password-1")
    for n in range(5):
        with env.client(("locky", "wrong"), headers={"X-Forwarded-For": f"10.9.9.{n}"}) as client:
            assert client.get("/api/datasources").status_code == 401
    with env.client(("locky", "right-password-1"), headers={"X-Forwarded-For": "10.1.1.1"}) as client:
        assert client.get("/api/datasources").status_code == 401  # still blocked, whatever address it claims


def test_the_lockout_counts_login_and_email_of_one_user_together(env: Env) -> None:
    _user(env, "twofaced", "twofaced@example.com", "right-password-2")
    for name in ("twofaced", "TwoFaced@Example.com", "twofaced", "twofaced@example.com", "TWOFACED"):
        with env.client((name, "wrong")) as client:
            assert client.get("/api/datasources").status_code == 401
    with env.client(("twofaced@example.com", "right-password-2")) as client:
        assert client.get("/api/datasources").status_code == 401


def test_the_upstream_sees_the_real_peer_last(env: Env) -> None:
    with env.client(VIEWER, headers={"X-Forwarded-For": "6.6.6.6"}) as client:
        assert client.get(f"/api/datasources/proxy/uid/{env.routed_uid}/public/xff").status_code == 200
    assert env.upstream.last()["headers"]["X-Forwarded-For"] == "6.6.6.6, 127.0.0.1"


def _same(text: str, ident: str) -> str:
    """The body with the requested id (where the scope names it) and the random error id blanked."""
    text = re.sub(rf"(datasources:(?:id|uid):){re.escape(ident)}(?=\W)", r"\1<id>", text)
    return re.sub(r"ACE\d+", "ACE", text)


def test_a_non_member_gets_the_same_answer_for_every_id(env: Env) -> None:
    with env.client(OUTSIDER, headers={"X-Grafana-Org-Id": "1"}) as client:
        real, fake = client.get(f"/api/datasources/{env.routed_id}"), client.get("/api/datasources/987654")
        real_uid, fake_uid = (
            client.get(f"/api/datasources/uid/{env.routed_uid}"),
            client.get("/api/datasources/uid/nope"),
        )
        real_put = client.put(f"/api/datasources/{env.routed_id}", json={"name": "x", "type": "x", "access": "proxy"})
        fake_put = client.put("/api/datasources/987654", json={"name": "x", "type": "x", "access": "proxy"})
    assert real.status_code == fake.status_code == 403
    assert _same(real.text, str(env.routed_id)) == _same(fake.text, "987654")
    assert real_uid.status_code == fake_uid.status_code == 403
    assert _same(real_uid.text, env.routed_uid) == _same(fake_uid.text, "nope")
    assert real_put.status_code == fake_put.status_code == 403
    assert _same(real_put.text, str(env.routed_id)) == _same(fake_put.text, "987654")


def test_password_hashing_is_bounded_with_an_early_429(env: Env) -> None:
    statuses: list[int] = []

    def guess(n: int) -> None:
        with env.client((f"nobody-{n}", "guess")) as client:
            statuses.append(client.get("/api/datasources").status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(statuses) == 24 and set(statuses) <= {401, 429}
    assert statuses.count(429) >= 1 and statuses.count(401) >= 1


def test_metrics_need_the_configured_basic_auth(env: Env) -> None:
    with httpx.Client(base_url=env.host.url) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", auth=ADMIN).status_code == 401
        assert client.get("/metrics", auth=(METRICS[0], "wrong")).status_code == 401
        opened = client.get("/metrics", auth=METRICS)
    assert opened.status_code == 200 and "grafana" in opened.text.lower()
    assert_clean(opened)
