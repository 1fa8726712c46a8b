"""The clinic schema: every table, and the audit table made append-only

Revision ID: 0001
Revises:
Create Date: 2026-11-26 09:27:53.094432
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("role", sa.String(length=40), nullable=True),
        sa.Column("clinic_id", sa.String(length=32), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("record_type", sa.String(length=40), nullable=True),
        sa.Column("record_id", sa.String(length=64), nullable=True),
        sa.Column("patient_id", sa.String(length=32), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_event_login", ["action", "actor", "at"], unique=False)

    op.create_table(
        "clinic",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinic")),
    )
    op.create_table(
        "patient",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("clinic_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=20), nullable=True),
        sa.Column("mrn", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_patient_clinic_id_clinic")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient")),
    )
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patient_clinic_id"), ["clinic_id"], unique=False)

    op.create_table(
        "app_user",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("clinic_id", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=True),
        sa.Column("patient_id", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_app_user_clinic_id_clinic")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_app_user_patient_id_patient")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("patient_id", name=op.f("uq_app_user_patient_id")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_app_user_clinic_id"), ["clinic_id"], unique=False)

    op.create_table(
        "episode",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("clinic_id", sa.String(length=32), nullable=False),
        sa.Column("patient_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("start_phase", sa.String(length=40), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_episode_clinic_id_clinic")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_episode_patient_id_patient")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_episode")),
    )
    with op.batch_alter_table("episode", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_episode_clinic_id"), ["clinic_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_episode_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "api_token",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_api_token_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "auth_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_auth_session_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_session")),
    )
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_session_user_id"), ["user_id"], unique=False)

    op.create_table(
        "care_session",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("clinic_id", sa.String(length=32), nullable=False),
        sa.Column("episode_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("modalities", sa.JSON(), nullable=False),
        sa.Column("provider_id", sa.String(length=32), nullable=False),
        sa.Column("relief_window_days", sa.Integer(), nullable=True),
        sa.Column("soreness_expected", sa.Boolean(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_care_session_clinic_id_clinic")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episode.id"], name=op.f("fk_care_session_episode_id_episode")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["app_user.id"], name=op.f("fk_care_session_provider_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_session")),
    )
    with op.batch_alter_table("care_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_session_clinic_id"), ["clinic_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_care_session_episode_id"), ["episode_id"], unique=False
        )

    op.create_table(
        "checkpoint",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("clinic_id", sa.String(length=32), nullable=False),
        sa.Column("episode_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("proposed", sa.String(length=20), nullable=False),
        sa.Column("proposal", sa.JSON(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("to_phase", sa.String(length=40), nullable=True),
        sa.Column("overlap_days", sa.Integer(), nullable=True),
        sa.Column("review_by", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_checkpoint_clinic_id_clinic")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["app_user.id"], name=op.f("fk_checkpoint_decided_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episode.id"], name=op.f("fk_checkpoint_episode_id_episode")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkpoint")),
    )
    with op.batch_alter_table("checkpoint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checkpoint_clinic_id"), ["clinic_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_checkpoint_episode_id"), ["episode_id"], unique=False)

    op.create_table(
        "daily_log",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("clinic_id", sa.String(length=32), nullable=False),
        sa.Column("patient_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("pain", sa.Integer(), nullable=True),
        sa.Column("steps", sa.Integer(), nullable=True),
        sa.Column("sitting_min", sa.Integer(), nullable=True),
        sa.Column("sleep_h", sa.Float(), nullable=True),
        sa.Column("function", sa.Float(), nullable=True),
        sa.Column("goals", sa.JSON(), nullable=False),
        sa.Column("event", sa.String(length=500), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("entered_by", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_daily_log_clinic_id_clinic")
        ),
        sa.ForeignKeyConstraint(
            ["entered_by"], ["app_user.id"], name=op.f("fk_daily_log_entered_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_daily_log_patient_id_patient")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_log")),
        sa.UniqueConstraint("patient_id", "day", name=op.f("uq_daily_log_patient_id")),
    )
    with op.batch_alter_table("daily_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_daily_log_clinic_id"), ["clinic_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_daily_log_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "goal",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("clinic_id", sa.String(length=32), nullable=False),
        sa.Column("episode_id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("activity", sa.String(length=500), nullable=False),
        sa.Column("metric", sa.String(length=500), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=True),
        sa.Column("baseline", sa.Float(), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("meaningful_change", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_goal_clinic_id_clinic")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episode.id"], name=op.f("fk_goal_episode_id_episode")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal")),
        sa.UniqueConstraint("episode_id", "key", name=op.f("uq_goal_episode_id")),
    )
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goal_clinic_id"), ["clinic_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_goal_episode_id"), ["episode_id"], unique=False)

    op.create_table(
        "intake",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("clinic_id", sa.String(length=32), nullable=False),
        sa.Column("episode_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("entered_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_intake_clinic_id_clinic")
        ),
        sa.ForeignKeyConstraint(
            ["entered_by"], ["app_user.id"], name=op.f("fk_intake_entered_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episode.id"], name=op.f("fk_intake_episode_id_episode")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake")),
    )
    with op.batch_alter_table("intake", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intake_clinic_id"), ["clinic_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_intake_episode_id"), ["episode_id"], unique=False)

    op.create_table(
        "plan_revision",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("clinic_id", sa.String(length=32), nullable=False),
        sa.Column("episode_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["app_user.id"], name=op.f("fk_plan_revision_author_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_plan_revision_clinic_id_clinic")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episode.id"], name=op.f("fk_plan_revision_episode_id_episode")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_revision")),
        sa.UniqueConstraint("episode_id", "number", name=op.f("uq_plan_revision_episode_id")),
    )
    with op.batch_alter_table("plan_revision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_revision_clinic_id"), ["clinic_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_plan_revision_episode_id"), ["episode_id"], unique=False
        )

    op.create_table(
        "referral",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("clinic_id", sa.String(length=32), nullable=False),
        sa.Column("episode_id", sa.String(length=32), nullable=False),
        sa.Column("to_service", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("overlap_days", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_referral_clinic_id_clinic")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["app_user.id"], name=op.f("fk_referral_created_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episode.id"], name=op.f("fk_referral_episode_id_episode")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
    )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referral_clinic_id"), ["clinic_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referral_episode_id"), ["episode_id"], unique=False)

    op.create_table(
        "team_note",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("clinic_id", sa.String(length=32), nullable=False),
        sa.Column("episode_id", sa.String(length=32), nullable=False),
        sa.Column("hypothesis", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["app_user.id"], name=op.f("fk_team_note_author_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_team_note_clinic_id_clinic")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episode.id"], name=op.f("fk_team_note_episode_id_episode")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_note")),
    )
    with op.batch_alter_table("team_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_note_clinic_id"), ["clinic_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_team_note_episode_id"), ["episode_id"], unique=False)

    op.create_table(
        "assessment",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("clinic_id", sa.String(length=32), nullable=False),
        sa.Column("episode_id", sa.String(length=32), nullable=False),
        sa.Column("intake_id", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("knowledge_version", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_assessment_clinic_id_clinic")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episode.id"], name=op.f("fk_assessment_episode_id_episode")
        ),
        sa.ForeignKeyConstraint(
            ["intake_id"], ["intake.id"], name=op.f("fk_assessment_intake_id_intake")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessment_clinic_id"), ["clinic_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessment_episode_id"), ["episode_id"], unique=False)

    _audit_append_only()


def _audit_append_only() -> None:
    """The audit trail is append-only in the database itself, not only by convention: an UPDATE
    or DELETE on audit_event fails whoever issues it (reliability-security.md, figure 7)."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$"
    )
    op.execute(
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
        "ON audit_event FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"
    )


def downgrade() -> None:
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_episode_id"))
        batch_op.drop_index(batch_op.f("ix_assessment_clinic_id"))

    op.drop_table("assessment")
    with op.batch_alter_table("team_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_note_episode_id"))
        batch_op.drop_index(batch_op.f("ix_team_note_clinic_id"))

    op.drop_table("team_note")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_episode_id"))
        batch_op.drop_index(batch_op.f("ix_referral_clinic_id"))

    op.drop_table("referral")
    with op.batch_alter_table("plan_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_revision_episode_id"))
        batch_op.drop_index(batch_op.f("ix_plan_revision_clinic_id"))

    op.drop_table("plan_revision")
    with op.batch_alter_table("intake", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_episode_id"))
        batch_op.drop_index(batch_op.f("ix_intake_clinic_id"))

    op.drop_table("intake")
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_episode_id"))
        batch_op.drop_index(batch_op.f("ix_goal_clinic_id"))

    op.drop_table("goal")
    with op.batch_alter_table("daily_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_daily_log_patient_id"))
        batch_op.drop_index(batch_op.f("ix_daily_log_clinic_id"))

    op.drop_table("daily_log")
    with op.batch_alter_table("checkpoint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkpoint_episode_id"))
        batch_op.drop_index(batch_op.f("ix_checkpoint_clinic_id"))

    op.drop_table("checkpoint")
    with op.batch_alter_table("care_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_session_episode_id"))
        batch_op.drop_index(batch_op.f("ix_care_session_clinic_id"))

    op.drop_table("care_session")
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_session_user_id"))

    op.drop_table("auth_session")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))

    op.drop_table("api_token")
    with op.batch_alter_table("episode", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_episode_patient_id"))
        batch_op.drop_index(batch_op.f("ix_episode_clinic_id"))

    op.drop_table("episode")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_user_clinic_id"))

    op.drop_table("app_user")
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_clinic_id"))

    op.drop_table("patient")
    op.drop_table("clinic")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_login")
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))

    op.drop_table("audit_event")
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
