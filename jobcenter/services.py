import hashlib
from collections.abc import Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEvent, User


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    summary: str = "",
    changes: Mapping[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        summary=summary[:500],
        changes=dict(changes or {}),
    )


def secret_hash(value: str) -> str:
    """SHA-256 of a secret (API and display keys): only this is stored, never the key."""
    return hashlib.sha256(value.encode()).hexdigest()
