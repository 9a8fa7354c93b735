"""Every kind of audit row and every kind of object it names, in words (issue 15 item
17): the audit log in the admin site reads 导入单位 · 文件, not units_imported · file. A new
`audit(kind=…)` adds its label here; `core/tests/test_audit_labels.py` finds every kind
the code writes and fails for one without a label."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

AUDIT_KINDS = {
    "abuse_recorded": _("Malicious caller recorded"),
    "access_log_exported": _("Personal-data access log exported"),
    "calendar_override_removed": _("Local calendar adjustment removed"),
    "calendar_override_set": _("Local calendar adjustment set"),
    "catalog_imported": _("Dispatch catalog imported"),
    "catalog_item_created": _("Dispatch catalog item created"),
    "channel_configured": _("Channel configured"),
    "demo_city_built": _("Demo city built"),
    "emergency_acknowledged": _("Emergency report acknowledged"),
    "emergency_reported": _("Emergency reported"),
    "login": _("Logged in"),
    "login_failed": _("Login failed"),
    "login_second_factor": _("Logged in with the second factor"),
    "login_second_factor_failed": _("Second factor refused"),
    "logout": _("Logged out"),
    "manual_score_set": _("Manual assessment score set"),
    "missed_call_called_back": _("Missed call called back"),
    "missed_calls_imported": _("Missed calls imported"),
    "official_year_entered": _("Official holiday schedule entered"),
    "online_request_accepted": _("Online request accepted"),
    "online_request_declined": _("Online request declined"),
    "online_request_merged": _("Online request merged"),
    "online_request_received": _("Online request received"),
    "open311_key_issued": _("Open311 key issued"),
    "open311_key_revoked": _("Open311 key revoked"),
    "password_changed": _("Password changed"),
    "password_reset": _("Password reset"),
    "period_published": _("Assessment period published"),
    "policy_default_set": _("Default deadline policy set"),
    "policy_version_created": _("Deadline policy version created"),
    "portal_rated": _("Rated on the portal"),
    "report_drafted": _("Report drafted"),
    "report_edited": _("Report edited"),
    "report_issued": _("Report issued"),
    "scheme_default_set": _("Default assessment scheme set"),
    "scheme_version_created": _("Assessment scheme version created"),
    "second_factor_enrolled": _("Second factor enrolled"),
    "staff_performance_exported": _("Staff performance exported"),
    "tickets_exported": _("Tickets exported"),
    "topics_imported": _("Topics imported"),
    "transfer_out": _("Transferred to a partner hotline"),
    "units_imported": _("Units imported"),
}

OBJECT_TYPES = {
    "catalog_item": _("Dispatch catalog item"),
    "channel": _("Channel"),
    "citizen": _("Citizen"),
    "date": _("Date"),
    "emergency_report": _("Emergency report"),
    "file": _("File"),
    "missed_call": _("Missed call"),
    "online_request": _("Online request"),
    "open311_app": _("Open311 application"),
    "period": _("Assessment period"),
    "policy": _("Deadline policy"),
    "report": _("Report document"),
    "scheme": _("Assessment scheme"),
    "ticket": _("Ticket"),
    "user": _("User"),
    "year": _("Year"),
}


def kind_label(kind: str) -> str:
    return str(AUDIT_KINDS.get(kind, kind))


def object_type_label(object_type: str) -> str:
    return str(OBJECT_TYPES.get(object_type, object_type))
