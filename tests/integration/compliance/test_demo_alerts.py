"""The demo tenant comes with the default Portuguese policy pack, and its traffic raises alerts from every policy."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from atalaia.db.models import Alert, AlertHit, Job
from atalaia.policies import load_policies
from atalaia.runtime import Runtime
from atalaia.services.compliance import list_versions
from atalaia.services.compliance.policies import default_policy_text
from atalaia.services.compliance.scanning import NOTIFY_KIND
from atalaia.services.demo import load_demo


def test_the_demo_raises_alerts_from_every_default_policy(runtime: Runtime) -> None:
    summary = load_demo(runtime, messages=3_000, seed=7, end=date(2024, 6, 28))

    with runtime.sessions() as session:
        tenant_id = session.execute(select(Alert.tenant_id).limit(1)).scalar_one()
        [version] = list_versions(session, tenant_id=tenant_id)
        per_policy = dict(session.execute(select(Alert.policy, func.count()).group_by(Alert.policy)).all())
        hits = session.execute(select(func.sum(Alert.hit_count))).scalar_one()
        stored_hits = session.execute(select(func.count()).select_from(AlertHit)).scalar_one()
        jobs = session.execute(select(func.count()).select_from(Job).where(Job.kind == NOTIFY_KIND)).scalar_one()

    expected = [p.id for p in load_policies(default_policy_text())]
    assert version.active
    assert list(version.policies) == expected
    assert summary.result.new >= 2_900
    assert {policy: per_policy.get(policy, 0) >= 1 for policy in expected} == dict.fromkeys(expected, True)
    assert hits == stored_hits
    assert sum(per_policy.values()) < hits  # grouped: fewer alerts than hits
    assert jobs == 0  # history is not e-mailed
