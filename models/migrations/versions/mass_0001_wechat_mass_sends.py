"""WeChat mass sends: the draft, its confirmation, WeChat's ids and final report.

Revision ID: mass_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "mass_0001"
down_revision = "0001"
branch_labels = ("mass",)
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "wechat_mass_sends",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=True),
        sa.Column("tag_name", sa.String(30), nullable=True),
        sa.Column("openids", sa.JSON(), nullable=False),
        sa.Column("msgtype", sa.String(16), nullable=False),
        sa.Column("message", sa.JSON(), nullable=False),
        sa.Column("send_ignore_reprint", sa.Boolean(), nullable=False),
        sa.Column("job_id", sa.String(36), nullable=True),
        sa.Column("msg_id", sa.String(64), nullable=True),
        sa.Column("msg_data_id", sa.String(64), nullable=True),
        sa.Column("msg_status", sa.String(32), nullable=True),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("errcode", sa.Integer(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("confirmed_at", _TS, nullable=True),
        sa.Column("sent_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wechat_mass_sends")),
    )
    op.create_index(op.f("ix_wechat_mass_sends_msg_id"), "wechat_mass_sends", ["msg_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_wechat_mass_sends_msg_id"), table_name="wechat_mass_sends")
    op.drop_table("wechat_mass_sends")
