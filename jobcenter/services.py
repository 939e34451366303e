import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import models

from .models import AuditEvent, Jobcenter, User


def _jobcenter_id_of(target: models.Model, actor: User | None) -> int | None:
    """The Jobcenter a record belongs to: its own, else its owner's, else the actor's."""
    if isinstance(target, Jobcenter):
        return target.pk
    if getattr(target, "jobcenter_id", None):
        return target.jobcenter_id
    for parent in ("team", "standort", "kunde", "antrag", "visit", "ifk"):
        obj = getattr(target, parent, None) if hasattr(type(target), parent) else None
        if obj is not None and getattr(obj, "jobcenter_id", None):
            return obj.jobcenter_id
    return getattr(actor, "jobcenter_id", None)


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    summary: str = "",
    changes: Mapping[str, Any] | None = None,
    subject_id: int | None = None,
    jobcenter_id: int | None = None,
) -> AuditEvent:
    """Write one audit row. `subject_id` is the customer (intake.Kunde) the event touches."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        jobcenter_id=jobcenter_id or _jobcenter_id_of(target, actor),
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        subject_id=subject_id or _subject_id_of(target),
        summary=summary[:500],
        changes=dict(changes or {}),
    )


def _subject_id_of(target: models.Model) -> int | None:
    """The customer a changed record is about, so their trail shows changes too."""
    if target._meta.label_lower == "intake.kunde":
        return target.pk
    for attr in ("kunde_id", "applicant_id"):
        value = getattr(target, attr, None)
        if value:
            return value
    return None


def audit_read(
    *,
    actor: User,
    target: models.Model,
    summary: str,
    subject_ids: Iterable[int | None] = (),
    jobcenter_id: int | None = None,
) -> None:
    """Record that `actor` read `target` (a page, letter, export …) of social data.

    One row per customer shown, so "who looked at this person" is one indexed query; a
    read that shows no customer (an empty list) still leaves one row.
    """
    content_type = ContentType.objects.get_for_model(target)
    jc = jobcenter_id or _jobcenter_id_of(target, actor)
    ids = sorted({i for i in subject_ids if i}) or [None]
    rows = [
        AuditEvent(
            actor=actor if getattr(actor, "pk", None) else None,
            jobcenter_id=jc,
            action=AuditEvent.Action.VIEW,
            target_type=content_type,
            target_id=target.pk or 0,
            subject_id=subject_id,
            summary=summary[:500],
        )
        for subject_id in ids
    ]
    if len(rows) == 1:
        rows[0].save(force_insert=True)  # one INSERT; bulk_create adds BEGIN and COMMIT
    else:
        AuditEvent.objects.bulk_create(rows)


# How long a refreshing region remembers whom it has shown (a working day).
SEEN_FOR_SECONDS = 12 * 60 * 60


def audit_read_refresh(
    *,
    actor: User,
    target: models.Model,
    summary: str,
    subject_ids: Iterable[int | None],
    key: str,
    full: bool,
) -> None:
    """`audit_read` for a page region that refreshes itself every few seconds (htmx polls).

    The full page load audits every customer shown; a refresh audits only the customers
    this person has not yet been shown in this region since, so an unchanged queue polled
    all day leaves one row per customer, not one per poll. What was shown is kept in the
    cache: if it is lost, the next refresh audits everyone again (more rows, never fewer).
    """
    ids = {i for i in subject_ids if i}
    cache_key = f"audit-seen:{actor.pk}:{key}"
    seen = None if full else cache.get(cache_key)
    if seen is None:
        if full or ids:
            audit_read(actor=actor, target=target, summary=summary, subject_ids=ids)
        cache.set(cache_key, ids, SEEN_FOR_SECONDS)
        return
    new = ids - seen
    if new:
        audit_read(actor=actor, target=target, summary=summary, subject_ids=new)
        cache.set(cache_key, seen | new, SEEN_FOR_SECONDS)


def secret_hash(value: str) -> str:
    """SHA-256 of a secret (API and display keys): only this is stored, never the key."""
    return hashlib.sha256(value.encode()).hexdigest()
