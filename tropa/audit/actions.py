"""Every kind of audit entry, one enum (as zulip's ``AuditLogEventType``).

``log_action`` refuses a code that is not here, so a new kind of entry is added here first,
and ``tropa/audit/tests/test_every_action.py`` checks that the test suite produces each one
through the service that writes it.
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    # access
    ACCESS_DENIED = "access.denied"
    ACCESS_FORBIDDEN = "access.forbidden"
    # alert
    ALERT_ITEM_DONE = "alert.item_done"
    ALERT_RAISED = "alert.raised"
    ALERT_RESOLVED = "alert.resolved"
    # audit
    AUDIT_CHAIN_KEYED = "audit.chain_keyed"
    # auth
    AUTH_ENROLMENT_LINK_REFUSED = "auth.enrolment_link_refused"
    AUTH_LOGIN = "auth.login"
    AUTH_LOGIN_FAILED = "auth.login_failed"
    AUTH_LOGOUT = "auth.logout"
    AUTH_SECOND_FACTOR_FAILED = "auth.second_factor_failed"
    # case
    CASE_CREATED = "case.created"
    CASE_STAGE_CHANGED = "case.stage_changed"
    CASE_UPDATED = "case.updated"
    CASE_VIEWED = "case.viewed"
    # cases
    CASES_LISTED_FROM_SHELL = "cases.listed_from_shell"
    # deployment
    DEPLOYMENT_ADDED = "deployment.added"
    DEPLOYMENT_REMOVED = "deployment.removed"
    # evidence
    EVIDENCE_ADDED = "evidence.added"
    EVIDENCE_BUNDLE_PREPARED = "evidence.bundle_prepared"
    EVIDENCE_DELETE_REQUESTED = "evidence.delete_requested"
    EVIDENCE_DOWNLOADED = "evidence.downloaded"
    EVIDENCE_EXPORT_APPROVED = "evidence.export_approved"
    EVIDENCE_EXPORT_BUILT = "evidence.export_built"
    EVIDENCE_EXPORT_DOWNLOADED = "evidence.export_downloaded"
    EVIDENCE_EXPORT_EXPIRED = "evidence.export_expired"
    EVIDENCE_EXPORT_FAILED = "evidence.export_failed"
    EVIDENCE_EXPORT_FORM_VIEWED = "evidence.export_form_viewed"
    EVIDENCE_EXPORT_REFUSED = "evidence.export_refused"
    EVIDENCE_EXPORT_REQUESTED = "evidence.export_requested"
    EVIDENCE_EXPORT_RETRIED = "evidence.export_retried"
    EVIDENCE_EXPORT_SELF_APPROVAL_REFUSED = "evidence.export_self_approval_refused"
    EVIDENCE_EXPORT_VIEWED = "evidence.export_viewed"
    EVIDENCE_METADATA_READ = "evidence.metadata_read"
    EVIDENCE_PROCESSING_FAILED = "evidence.processing_failed"
    EVIDENCE_PROCESSING_RETRIED = "evidence.processing_retried"
    EVIDENCE_QUOTA_SET = "evidence.quota_set"
    EVIDENCE_UPLOAD_DISCARDED = "evidence.upload_discarded"
    EVIDENCE_UPLOAD_STARTED = "evidence.upload_started"
    EVIDENCE_VERIFY_FAILED = "evidence.verify_failed"
    EVIDENCE_VIEWED = "evidence.viewed"
    # family_member
    FAMILY_MEMBER_ADDED = "family_member.added"
    FAMILY_MEMBER_REMOVED = "family_member.removed"
    # identity
    IDENTITY_CREATED = "identity.created"
    IDENTITY_REVEAL_REFUSED = "identity.reveal_refused"
    IDENTITY_REVEALED = "identity.revealed"
    IDENTITY_SEARCHED_BY_DOCUMENT = "identity.searched_by_document"
    IDENTITY_UPDATED = "identity.updated"
    # need
    NEED_ADDED = "need.added"
    NEED_MET = "need.met"
    NEED_REOPENED = "need.reopened"
    # note
    NOTE_ADDED = "note.added"
    # organization
    ORGANIZATION_CREATED = "organization.created"
    # outreach
    OUTREACH_ANSWER_RECORDED = "outreach.answer_recorded"
    OUTREACH_ATTACHMENT_ADDED = "outreach.attachment_added"
    OUTREACH_ATTACHMENT_DOWNLOADED = "outreach.attachment_downloaded"
    OUTREACH_CONTACT_ADDED = "outreach.contact_added"
    OUTREACH_CONTACT_REMOVED = "outreach.contact_removed"
    OUTREACH_EXPORTED = "outreach.exported"
    OUTREACH_FOLLOWUP_DAYS_SET = "outreach.followup_days_set"
    OUTREACH_FOLLOWUP_DONE = "outreach.followup_done"
    OUTREACH_FOLLOWUP_DUE = "outreach.followup_due"
    OUTREACH_IMPORT_DISCARDED = "outreach.import_discarded"
    OUTREACH_IMPORT_STAGED = "outreach.import_staged"
    OUTREACH_IMPORTED = "outreach.imported"
    OUTREACH_INSTITUTION_CREATED = "outreach.institution_created"
    OUTREACH_INSTITUTION_UPDATED = "outreach.institution_updated"
    OUTREACH_LETTER_READ = "outreach.letter_read"
    OUTREACH_REQUEST_SENT = "outreach.request_sent"
    OUTREACH_STARTER_LOADED = "outreach.starter_loaded"
    OUTREACH_TEMPLATE_SAVED = "outreach.template_saved"
    # screening
    SCREENING_DUPLICATE_DECIDED = "screening.duplicate_decided"
    SCREENING_DUPLICATE_VIEWED = "screening.duplicate_viewed"
    SCREENING_DUPLICATES_RUN = "screening.duplicates_run"
    SCREENING_HIT_CONFIRMED = "screening.hit_confirmed"
    SCREENING_HIT_DISMISSED = "screening.hit_dismissed"
    SCREENING_HIT_VIEWED = "screening.hit_viewed"
    SCREENING_LIST_IMPORTED = "screening.list_imported"
    SCREENING_RUN = "screening.run"
    # service_record
    SERVICE_RECORD_SAVED = "service_record.saved"
    # support
    SUPPORT_RECORDED = "support.recorded"
    # task
    TASK_ADDED = "task.added"
    TASK_DONE = "task.done"
    TASK_REOPENED = "task.reopened"
    # user
    USER_ACTIVATED = "user.activated"
    USER_CREATED = "user.created"
    USER_DEACTIVATED = "user.deactivated"
    USER_ENROLLED = "user.enrolled"
    USER_ENROLMENT_ISSUED = "user.enrolment_issued"
    USER_LANGUAGE_CHANGED = "user.language_changed"
    USER_PASSWORD_CHANGED = "user.password_changed"  # noqa: S105 (an action, not a secret)
    USER_ROLE_CHANGE_APPROVED = "user.role_change_approved"
    USER_ROLE_CHANGE_REFUSED = "user.role_change_refused"
    USER_ROLE_CHANGE_REQUESTED = "user.role_change_requested"
    USER_ROLE_CHANGED = "user.role_changed"
    USER_ROLE_REQUEST_WITHDRAWN = "user.role_request_withdrawn"
    USER_ROLE_SUSPENDED = "user.role_suspended"
    USER_TIME_ZONE_CHANGED = "user.time_zone_changed"
    USER_TWO_FACTOR_ENABLED = "user.two_factor_enabled"
    USER_TWO_FACTOR_SETUP_STARTED = "user.two_factor_setup_started"
    USER_TWO_FACTOR_RESET = "user.two_factor_reset"
    # pathways (routes to safety, stay clocks, briefings)
    PATHWAYS_STARTER_LOADED = "pathways.starter_loaded"
    PATHWAY_EDITED = "pathways.pathway_edited"
    PATHWAY_COUNTRY_EDITED = "pathways.country_edited"
    PATHWAY_FACT_ADDED = "pathways.fact_added"
    PATHWAY_FACT_EDITED = "pathways.fact_edited"
    PATHWAY_FACT_RETIRED = "pathways.fact_retired"
    PATHWAY_PURSUED = "pathways.pursued"
    PATHWAY_DROPPED = "pathways.dropped"
    PATHWAY_REQUIREMENT_MARKED = "pathways.requirement_marked"
    PATHWAY_REQUIREMENT_UNMARKED = "pathways.requirement_unmarked"
    PATHWAY_CLOCKS_VIEWED = "pathways.clocks_viewed"
    TRIP_ADDED = "pathways.trip_added"
    TRIP_EDITED = "pathways.trip_edited"
    TRIP_DELETED = "pathways.trip_deleted"
    DEADLINE_ADDED = "pathways.deadline_added"
    DEADLINE_DONE = "pathways.deadline_done"
    DEADLINE_REOPENED = "pathways.deadline_reopened"
    DEADLINE_REMINDED = "pathways.deadline_reminded"
    BRIEFING_GIVEN = "pathways.briefing_given"
    # cases and accounts (issue 19: the case desk's small things)
    ALERT_ITEM_UNDONE = "alert.item_undone"
    ORGANIZATION_SETTINGS_CHANGED = "organization.settings_changed"
    # cases: finding a case by a legal name (issue 19)
    IDENTITY_SEARCHED_BY_NAME = "identity.searched_by_name"
    # notify (tropa/notify): e-mail notifications, codes and counts only
    NOTIFY_SETTINGS_CHANGED = "notify.settings_changed"
    NOTIFY_POLICY_CHANGED = "notify.policy_changed"
    NOTIFY_SENT = "notify.sent"
    NOTIFY_FAILED = "notify.failed"
    # vetting (tropa/vetting)
    VETTING_CHECKLIST_ITEM_ADDED = "vetting.checklist_item_added"
    VETTING_CHECKLIST_ITEM_CHANGED = "vetting.checklist_item_changed"
    VETTING_OPENED = "vetting.opened"
    VETTING_VIEWED = "vetting.viewed"
    VETTING_CHECK_UPDATED = "vetting.check_updated"
    VETTING_CLAIM_ADDED = "vetting.claim_added"
    VETTING_CLAIM_GRADED = "vetting.claim_graded"
    VETTING_DECISION_PROPOSED = "vetting.decision_proposed"
    VETTING_DECISION_SIGNED = "vetting.decision_signed"
    VETTING_DECISION_WITHDRAWN = "vetting.decision_withdrawn"
    VETTING_DECISION_REOPENED = "vetting.decision_reopened"
    VETTING_SIGNOFF_REFUSED = "vetting.signoff_refused"
    VETTING_DOSSIER_REQUESTED = "vetting.dossier_requested"
    VETTING_DOSSIER_APPROVED = "vetting.dossier_approved"
    VETTING_DOSSIER_REFUSED = "vetting.dossier_refused"
    VETTING_DOSSIER_BUILT = "vetting.dossier_built"
    VETTING_DOSSIER_DOWNLOADED = "vetting.dossier_downloaded"
    VETTING_DOSSIER_EXPIRED = "vetting.dossier_expired"
    VETTING_DOSSIER_EXPORTED = "vetting.dossier_exported"
    VETTING_DOSSIER_IDENTITY_INCLUDED = "vetting.dossier_identity_included"
    # testimony (tropa/testimony)
    TESTIMONY_RECORDED = "testimony.recorded"
    TESTIMONY_SAVED = "testimony.saved"
    TESTIMONY_VIEWED = "testimony.viewed"
    TESTIMONY_CONSENT_RECORDED = "testimony.consent_recorded"
    TESTIMONY_CONSENT_WITHDRAWN = "testimony.consent_withdrawn"
    TESTIMONY_UNIT_SAVED = "testimony.unit_saved"
    TESTIMONY_EVENT_ADDED = "testimony.event_added"
    TESTIMONY_ACT_ADDED = "testimony.act_added"
    TESTIMONY_CLAIMED_SAVED = "testimony.claimed_saved"
    TESTIMONY_POTENTIAL_SAVED = "testimony.potential_saved"
    TESTIMONY_FLAG_SET = "testimony.flag_set"
    TESTIMONY_RIGHTS_EXPLAINED = "testimony.rights_explained"
    TESTIMONY_CORROBORATION_SUGGESTED = "testimony.corroboration_suggested"
    TESTIMONY_CORROBORATION_CONFIRMED = "testimony.corroboration_confirmed"
    TESTIMONY_CORROBORATION_DISMISSED = "testimony.corroboration_dismissed"
    TESTIMONY_EXPORT_REQUESTED = "testimony.export_requested"
    TESTIMONY_EXPORT_APPROVED = "testimony.export_approved"
    TESTIMONY_EXPORT_REFUSED = "testimony.export_refused"
    TESTIMONY_EXPORT_BLOCKED = "testimony.export_blocked"
    TESTIMONY_EXPORT_DOWNLOADED = "testimony.export_downloaded"
    TESTIMONY_EXPORT_WRITTEN = "testimony.export_written"
    TESTIMONY_EXPORT_WITHOUT_CONSENT = "testimony.export_without_consent"
    TESTIMONY_SEARCHED = "testimony.searched"
    # outreach (wave 3): the name letters are signed with
    USER_DISPLAY_NAME_CHANGED = "user.display_name_changed"
    # api (tropa/api): personal tokens; a refused token is logged by its prefix only
    API_TOKEN_CREATED = "api.token_created"  # noqa: S105 (an audit code, not a secret)
    API_TOKEN_REVOKED = "api.token_revoked"  # noqa: S105 (an audit code, not a secret)
    API_TOKEN_REFUSED = "api.token_refused"  # noqa: S105 (an audit code, not a secret)
