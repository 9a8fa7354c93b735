"""The background loop (`hotline tick`): each pass runs the periodic jobs and records a
heartbeat, so an administrator can see on /health/ when it last ran.

Jobs claim their work atomically (see each job), so several ticks may run at once and
a tick killed mid-pass loses nothing: unclaimed work is picked up by the next pass.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from hotline.core import clock
from hotline.core.models import Heartbeat

log = logging.getLogger("hotline.tick")


def _jobs() -> list[tuple[str, Callable[[], dict]]]:
    from hotline.channels import mailbox, progress, transfers
    from hotline.emergencies.services import escalate_due
    from hotline.intelligence.duplicates import index_pending
    from hotline.intelligence.services import topic_model_retrain_due
    from hotline.knowledge.notices import remind_due as knowledge_reminders
    from hotline.notifications.digest import send_digests
    from hotline.notifications.services import deliver_due
    from hotline.portal.throttle import sweep as portal_sweep
    from hotline.reports.aggregate import refresh_pending as refresh_reports
    from hotline.supervision.documents import render_pending
    from hotline.supervision.sweep import sweep

    # Reminders and the escalation ladder first (one index scan on next_check_at; due
    # assignments claimed and checked in batches, one transaction per batch), so what
    # they queue goes out in the same pass; the PDFs of the letters and recommendations
    # they issued are rendered outside any lock.
    return [
        ("mailbox", mailbox.poll_job),
        ("channel_notices", progress.send_notices),
        ("partner_calls", transfers.deliver_due),
        ("portal_limits", portal_sweep),
        ("emergencies", escalate_due),
        ("reminders", sweep),
        ("documents", render_pending),
        ("digests", send_digests),
        ("notifications", deliver_due),
        ("duplicates", index_pending),
        ("knowledge", knowledge_reminders),
        ("topic_model", topic_model_retrain_due),
        ("reports", refresh_reports),
    ]


def run_once() -> dict[str, dict]:
    results: dict[str, dict] = {}
    for name, job in _jobs():
        try:
            results[name] = job()
        except Exception:  # one failing job must not stop the others or the loop
            log.exception("tick job %s failed", name)
            results[name] = {"error": 1}
    Heartbeat.objects.update_or_create(
        name="tick", defaults={"last_run_at": clock.now(), "result": results}
    )
    log.info("tick %s", results)
    return results
