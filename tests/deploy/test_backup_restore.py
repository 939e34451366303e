"""A backup as docs/betrieb.md takes it (pg_dump -Fc) restores into a fresh cluster with
every record (issue 15)."""

import os
import shutil
import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.utils import timezone
from psycopg import sql

from intake.models import Kunde
from minimumstandards.presets import apply_preset
from minimumstandards.services import scan
from tests.factories import register

from .stack import ROOT, database_url, free_port

PG_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1]


def _row_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {
            table: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in tables
        }


@pytest.mark.django_db(transaction=True)
def test_a_dump_restores_into_a_fresh_cluster_with_every_record(jobcenter, staff, teams):
    apply_preset(jobcenter=jobcenter, name="demo")
    antrag = register(
        actor=staff["ez"], leistung_team=teams["leistung"],
        received_at=timezone.now() - timedelta(days=7),
    )  # fmt: skip
    scan()  # alerts too
    source = database_url(os.environ["DATABASE_URL"], connection.settings_dict["NAME"])
    before = _row_counts(source)
    assert before["intake_kunde"] == 1 and before["minimumstandards_deadlinealert"] > 0

    work = Path(tempfile.mkdtemp(prefix="jobcenter-restore-"))
    os.chmod(work, 0o755)  # the cluster runs as the postgres user
    dump = work / "jobcenter.dump"
    port = free_port()
    subprocess.run([PG_BIN / "pg_dump", "-Fc", "--no-owner", "-f", dump, source], check=True)
    subprocess.run(["bash", "scripts/pg.sh", "start", work / "pg", str(port)], cwd=ROOT, check=True)
    try:
        target = f"postgres://postgres@127.0.0.1:{port}/jobcenter"
        subprocess.run(
            [PG_BIN / "pg_restore", "--no-owner", "--exit-on-error", "-d", target, dump],
            check=True,
        )
        after = _row_counts(target)
        with psycopg.connect(target) as conn:
            kunde = Kunde.objects.get(pk=antrag.applicant_id)
            restored = conn.execute(
                "SELECT kundennummer, last_name FROM intake_kunde WHERE id = %s", [kunde.pk]
            ).fetchone()
    finally:
        subprocess.run(["bash", "scripts/pg.sh", "stop", work / "pg"], cwd=ROOT, check=True)
        shutil.rmtree(work, ignore_errors=True)
    assert after == before
    assert len(after) > 40  # every table of the schema, not a handful
    assert restored == (kunde.kundennummer, kunde.last_name)
